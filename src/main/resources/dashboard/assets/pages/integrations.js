// /projects/{project_id}/integrations: webhooks and the service integrations (Slack, PostHog, Segment, Amplitude,
// Mixpanel), each with its delivery log, redeliver and test events.
import { get, listAll, post, del, path, isUnavailable } from '../api.js';
import { h, field, select, table, time, act, code, notice, badge, showResult, errorText, copyButton } from '../ui.js';
import { navigate } from '../nav.js';
import { serviceSections } from './service-integrations.js';

// The outgoing event types a Stripe purchase can cause (RevenueCat's names, lowercase as the API takes them).
const EVENT_TYPES = ['initial_purchase', 'renewal', 'cancellation', 'uncancellation', 'non_renewing_purchase',
  'expiration', 'billing_issue', 'product_change', 'transfer'];

export async function integrationsPage(main, projectId) {
  document.title = 'Integrations · Substate';
  main.append(h('h1', {}, 'Integrations'), h('h2', {}, 'Webhooks'), h('p', {}, 'Substate sends RevenueCat-format '
    + 'events to these URLs, signed with Standard Webhooks headers, and retries failed deliveries.'));
  const base = path`/v2/projects/${projectId}/integrations/webhooks`;
  let integrations;
  try {
    integrations = await listAll(base);
  } catch (error) {
    if (isUnavailable(error)) {
      main.append(notice('warn', 'Webhook integrations are not available on this server version.'));
      return;
    }
    throw error;
  }
  const apps = await listAll(path`/v2/projects/${projectId}/apps`);
  main.append(
    integrations.length ? h('div', { id: 'integrations' }, integrations.map((i) => integrationCard(base, i, apps)))
      : h('p', { class: 'empty' }, 'No webhook integration yet.'),
    createForm(base, apps),
    ...await serviceSections(projectId, apps, EVENT_TYPES, card));
}

function integrationCard(base, integration, apps) {
  const app = apps.find((a) => a.id === integration.app_id);
  const secret = h('input', { type: 'password', readonly: true, id: `signing-secret-${integration.id}`,
    value: integration.signing_secret ?? '' });
  return card(base, integration, [
    h('dt', {}, 'URL'), h('dd', {}, code(integration.url)),
    h('dt', {}, 'App'), h('dd', {}, app ? app.name : 'All apps'),
    h('dt', {}, 'Authorization header'), h('dd', {}, integration.authorization_header_set ? 'Set (write-only)' : 'None')],
  null, h('div', { class: 'field' }, h('label', { for: secret.id }, 'Signing secret (verify the webhook-signature header)'),
    h('div', { class: 'with-buttons' }, secret, copyButton(secret))));
}

// An integration of any kind: its facts, then delivery log, test event, edit (when {@code editForm}) and delete.
function card(base, integration, facts, editForm, extra) {
  const one = `${base}/${encodeURIComponent(integration.id)}`;
  const slot = h('div', { class: 'form-message' });
  const deliveries = h('div', { class: 'deliveries' });
  const test = h('button', { type: 'button', class: 'secondary' }, 'Send test event');
  test.addEventListener('click', () => act(test, slot, async () => {
    await post(`${one}/actions/test`);
    showResult(slot, 'ok', 'Test event queued; it appears in the delivery log below.');
    await loadDeliveries(base, one, deliveries);
  }));
  const show = h('button', { type: 'button', class: 'secondary' }, 'Delivery log');
  show.addEventListener('click', () => act(show, slot, () => loadDeliveries(base, one, deliveries)));
  const edit = editForm ? h('button', { type: 'button', class: 'secondary' }, 'Edit') : null;
  edit?.addEventListener('click', () => deliveries.replaceChildren(editForm()));
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  remove.addEventListener('click', () => {
    if (!confirm(`Delete the integration ${integration.name}?`)) return;
    act(remove, slot, async () => {
      await del(one);
      navigate(location.pathname);
    });
  });
  return h('section', { class: 'card integration', 'data-integration-id': integration.id },
    h('h2', {}, integration.name),
    h('dl', { class: 'facts' }, facts,
      h('dt', {}, 'Environment'), h('dd', {}, integration.environment ?? 'Production and sandbox'),
      h('dt', {}, 'Events'), h('dd', {}, integration.event_types?.length
        ? integration.event_types.map((t) => t.toUpperCase()).join(', ') : 'All')),
    extra ?? null, h('div', { class: 'toolbar' }, show, test, edit, remove), slot, deliveries);
}

async function loadDeliveries(base, one, target) {
  const page = await get(`${one}/deliveries?limit=50`);
  const items = page.items ?? [];
  if (!items.length) {
    target.replaceChildren(h('p', { class: 'empty' }, 'No delivery yet.'));
    return;
  }
  target.replaceChildren(table(['Created', 'Event', 'Status', 'Attempts', 'Last response', 'Next attempt', ''],
    items.map((d) => {
      const rowSlot = h('span', { class: 'form-message' });
      const redeliver = h('button', { type: 'button', class: 'link' }, 'Redeliver');
      redeliver.addEventListener('click', () => act(redeliver, rowSlot, async () => {
        await post(`${one}/deliveries/${encodeURIComponent(d.id)}/actions/redeliver`);
        await loadDeliveries(base, one, target);
      }));
      const last = (d.attempts ?? []).at(-1);
      const kind = { succeeded: 'ok', pending: 'warn', failed: 'error' }[d.status] ?? 'neutral';
      return h('tr', { 'data-delivery-id': d.id },
        h('td', {}, time(d.created_at)),
        h('td', {}, code(d.event_type ?? ''), h('br'), h('small', { class: 'hint' }, d.event_id ?? '')),
        h('td', {}, badge(d.status ?? '?', kind), d.in_flight ? h('small', { class: 'hint' }, ' sending…') : null),
        h('td', {}, d.attempt_count ?? ''),
        h('td', {}, last ? [last.status_code ? `HTTP ${last.status_code}` : '', last.error
          ? h('div', { class: 'hint' }, last.error) : null, h('div', { class: 'hint' }, time(last.attempted_at))] : '—'),
        h('td', {}, d.status === 'pending' && d.next_attempt_at ? time(d.next_attempt_at) : '—'),
        h('td', {}, redeliver, rowSlot));
    })));
}

function createForm(base, apps) {
  const name = h('input', { type: 'text', id: 'new-webhook-name', required: true });
  const url = h('input', { type: 'url', id: 'new-webhook-url', required: true, placeholder: 'https://example.com/hooks/substate' });
  const authorization = h('input', { type: 'text', id: 'new-webhook-authorization', autocomplete: 'off',
    placeholder: 'Bearer …' });
  const environment = select({ id: 'new-webhook-environment' },
    [['', 'Production and sandbox'], ['production', 'Production only'], ['sandbox', 'Sandbox only']]);
  const app = select({ id: 'new-webhook-app' }, [['', 'All apps'], ...apps.map((a) => [a.id, a.name])]);
  const types = h('fieldset', {}, h('legend', {}, 'Event types (none checked = all)'),
    EVENT_TYPES.map((type) => {
      const box = h('input', { type: 'checkbox', id: `webhook-type-${type}`, value: type });
      return h('span', { class: 'checkbox' }, box, h('label', { for: box.id }, type.toUpperCase()));
    }));
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-webhook' }, 'Add webhook');
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-webhook-title' },
    h('h2', { id: 'new-webhook-title' }, 'New webhook'),
    field('Name', name), field('URL', url),
    field('Authorization header value', authorization, 'Sent verbatim as the Authorization header of each delivery.'),
    field('Environment', environment), field('App', app), types, slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), url: url.value.trim() };
    if (authorization.value.trim()) body.authorization_header = authorization.value.trim();
    if (environment.value) body.environment = environment.value;
    if (app.value) body.app_id = app.value;
    const checked = [...types.querySelectorAll('input:checked')].map((box) => box.value);
    if (checked.length) body.event_types = checked;
    act(button, slot, async () => {
      const created = await post(base, body);
      form.replaceChildren(h('h2', {}, 'Webhook added'), notice('ok', 'Verify the webhook-signature header of each '
        + 'delivery with the signing secret: ', code(created.signing_secret ?? '—')),
      h('button', { type: 'button', onclick: () => navigate(location.pathname) }, 'Done'));
    }).catch((error) => showResult(slot, 'error', errorText(error)));
  });
  return form;
}
