// /projects/{project_id}/apps/{app_id}/events: every verified Stripe event, its outcome, why it failed, and replay.
import { get, post, path } from '../api.js';
import { h, fill, select, table, time, act, notice, code, badge, errorText } from '../ui.js';
import { failureHelp, OUTCOMES } from '../stripe-help.js';
import { appHeader, signatureFailures } from './app-tabs.js';

const STATUS_FILTERS = [['', 'All outcomes'], ['processed', 'Processed'], ['failed', 'Failed'],
  ['parked', 'Parked'], ['stale', 'Stale']];

export async function stripeEventsPage(main, projectId, appId) {
  const app = await get(path`/v2/projects/${projectId}/apps/${appId}`);
  document.title = `Stripe events · ${app.name} · Substate`;
  const status = new URLSearchParams(location.search).get('status') ?? '';
  const filter = select({ id: 'event-status-filter' }, STATUS_FILTERS, status);
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', id: 'more-events', hidden: true }, 'Load more');
  const slot = h('div', { class: 'form-message' });
  const reload = h('button', { type: 'button', class: 'secondary', id: 'reload-events' }, 'Refresh');
  fill(main, appHeader(app, 'events'),
    secretMissing(app), signatureFailures(app),
    h('div', { class: 'toolbar' },
      h('label', { for: filter.id }, 'Outcome'), filter, reload,
      h('span', { class: 'hint' }, 'Newest first. Deliveries with a bad signature are not kept (see above).')),
    h('table', { id: 'stripe-events' },
      h('thead', {}, h('tr', {}, ['Received', 'Type', 'Event', 'Outcome', ''].map((t) => h('th', { scope: 'col' }, t)))),
      body),
    more, slot);

  const base = path`/v2/projects/${projectId}/apps/${appId}/stripe_events`;
  let next = null;
  const load = async (url, replace) => {
    const page = await get(url);
    if (replace) body.replaceChildren();
    if (replace && page.items.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, status
        ? 'No event with this outcome.' : 'No Stripe event received yet. Send one from Stripe (Developers → Webhooks → '
          + 'your endpoint → Send test event).')));
    }
    page.items.forEach((event) => body.append(...eventRows(event, base, () => load(firstPage(), true))));
    next = page.next_page;
    more.hidden = !next;
  };
  const firstPage = () => `${base}?limit=50${filter.value ? `&status=${encodeURIComponent(filter.value)}` : ''}`;
  filter.addEventListener('change', () => {
    history.replaceState({}, '', location.pathname + (filter.value ? `?status=${filter.value}` : ''));
    act(filter, slot, () => load(firstPage(), true));
  });
  reload.addEventListener('click', () => act(reload, slot, () => load(firstPage(), true)));
  more.addEventListener('click', () => act(more, slot, () => load(next, false)));
  await load(firstPage(), true);
}

function secretMissing(app) {
  if (app.stripe.webhook_secret_set) return null;
  return notice('error', h('strong', {}, 'No Stripe Webhook Secret is saved. '),
    'Every delivery is refused with webhook_secret_not_configured. ',
    h('a', { href: path`/projects/${app.project_id}/apps/${app.id}` }, 'Save it in Webhook Configuration.'));
}

function eventRows(event, base, reloadAll) {
  const [label, kind] = OUTCOMES[event.status] ?? [event.status, 'neutral'];
  const detail = h('tr', { class: 'detail', hidden: true }, h('td', { colspan: 5 }));
  const showPayload = h('button', { type: 'button', class: 'link' }, 'Payload');
  showPayload.addEventListener('click', () => act(showPayload, null, async () => {
    if (!detail.hidden) {
      detail.hidden = true;
      return;
    }
    const full = await get(`${base}/${encodeURIComponent(event.id)}`);
    detail.firstChild.replaceChildren(h('pre', { class: 'payload' }, JSON.stringify(full.payload, null, 2)));
    detail.hidden = false;
  }).catch((error) => detail.firstChild.replaceChildren(notice('error', errorText(error)))));
  const actions = [showPayload];
  const rowSlot = h('div', { class: 'form-message' });
  if (event.status === 'failed' || event.status === 'parked') {
    const replay = h('button', { type: 'button', class: 'secondary replay' }, 'Replay');
    replay.addEventListener('click', () => act(replay, rowSlot, async () => {
      const result = await post(`${base}/${encodeURIComponent(event.id)}/actions/replay`);
      if (result.status === 'processed') {
        await reloadAll();
      } else {
        rowSlot.replaceChildren(notice('warn', `Replayed: still ${result.status}${result.error_code
          ? ` (${result.error_code})` : ''}.`));
      }
    }));
    actions.push(replay);
  }
  const row = h('tr', { class: `event event-${event.status}`, 'data-event-id': event.id },
    h('td', {}, time(event.received_at)),
    h('td', {}, code(event.type), event.livemode ? null : h('span', { class: 'tag' }, ' test mode')),
    h('td', {}, code(event.id), h('br'), h('small', { class: 'hint' }, `Stripe time ${time(event.created)}`)),
    h('td', {}, badge(label, kind),
      event.duplicate_deliveries > 0 ? h('small', { class: 'hint' }, ` +${event.duplicate_deliveries} duplicate `
        + 'deliveries') : null,
      event.purchase_token ? h('div', { class: 'hint' }, 'Purchase ', code(event.purchase_token)) : null),
    h('td', { class: 'actions' }, actions));
  const rows = [row];
  if (event.status === 'failed' || event.status === 'parked') {
    const help = failureHelp(event.error_code);
    rows.push(h('tr', { class: 'reason' }, h('td', { colspan: 5 },
      h('div', { class: 'failure-reason' },
        h('strong', {}, help.title), h('span', { class: 'hint' }, ` (${event.error_code ?? event.status})`),
        h('p', {}, help.fix),
        event.error_message ? h('p', { class: 'hint' }, 'Details: ', event.error_message) : null),
      rowSlot)));
  } else {
    rows.push(h('tr', { class: 'reason', hidden: true }, h('td', { colspan: 5 }, rowSlot)));
  }
  rows.push(detail);
  return rows;
}
