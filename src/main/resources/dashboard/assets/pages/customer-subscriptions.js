// The customer's Stripe subscriptions on the customer page, as the API v2 answers them: state, current period,
// revenue, entitlements, transactions on demand, and the actions made in Stripe with the app's key (cancel at the
// period end, cancel now, refund the latest payment, refresh), each confirmed first; the row then shows the new state.
import { get, post, path, listAll } from '../api.js';
import { h, fill, table, time, badge, code, section, act, showResult } from '../ui.js';

/** Fills `container` with the Subscriptions section of the customer known by `appUserId` (any alias). */
export async function customerSubscriptions(container, projectId, appUserId) {
  const subscriptions = await listAll(path`/v2/projects/${projectId}/customers/${appUserId}/subscriptions`);
  fill(container, section('Subscriptions', subscriptions.length
    ? table(['Stripe subscription', 'Status', 'Current period', 'Revenue', 'Entitlements', 'Transactions', ''],
      subscriptions.map((s) => row(projectId, s)), { id: 'subscriptions' })
    : h('p', { class: 'empty', id: 'subscriptions' }, 'No subscription.')));
}

function row(projectId, subscription) {
  const tr = h('tr', { 'data-subscription-id': subscription.id });
  show(tr, projectId, subscription);
  return tr;
}

/** (Re)draws a subscription's row; `message` is shown under its buttons (the outcome of the last action). */
function show(tr, projectId, s, message) {
  const slot = h('div', { class: 'result' });
  fill(tr,
    h('td', {}, code(s.store_subscription_identifier), h('br'), h('small', { class: 'hint' }, s.environment)),
    h('td', { class: 'subscription-status' }, badge(s.status.replaceAll('_', ' '), s.gives_access ? 'ok' : 'neutral'),
      h('br'), h('small', { class: 'hint' }, s.auto_renewal_status.replaceAll('_', ' '),
        s.gives_access ? ', gives access' : ', no access')),
    h('td', {}, time(s.current_period_starts_at), h('br'), time(s.current_period_ends_at)),
    h('td', { class: 'subscription-revenue' }, usd(s.total_revenue_in_usd)),
    h('td', {}, s.entitlements.items.length ? s.entitlements.items.map((e) => [code(e.lookup_key), ' ']) : '—'),
    h('td', {}, transactions(projectId, s)),
    h('td', {}, actions(tr, projectId, s, slot), slot));
  if (message) showResult(slot, 'ok', message);
}

function usd(money) {
  return `$${Number(money.gross).toFixed(2)}`;
}

/** The subscription's transactions (paid invoices), read when first opened. */
function transactions(projectId, s) {
  const body = h('div', {}, 'Loading…');
  const details = h('details', { class: 'subscription-transactions' }, h('summary', {}, 'Transactions'), body);
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const items = await listAll(path`/v2/projects/${projectId}/subscriptions/${s.id}/transactions`);
      fill(body, items.length ? table(['Stripe invoice', 'Paid', 'Period end', 'Revenue', 'Refunded'],
        items.map((t) => h('tr', {},
          h('td', {}, code(t.id)), h('td', {}, time(t.purchased_at)), h('td', {}, time(t.expiration_date)),
          h('td', {}, usd(t.revenue_in_usd)), h('td', {}, t.refunded_at ? time(t.refunded_at) : '—'))))
        : h('p', { class: 'empty' }, 'No paid invoice.'));
    } catch (error) {
      loaded = false;
      showResult(body, 'error', error.message);
    }
  });
  return details;
}

/** The buttons that make sense in the subscription's state. */
function actions(tr, projectId, s, slot) {
  const base = path`/v2/projects/${projectId}/subscriptions/${s.id}`;
  const ended = s.status === 'expired';
  const buttons = [];
  if (!ended && s.auto_renewal_status === 'will_renew') {
    buttons.push(action(tr, projectId, slot, 'cancel-at-period-end', 'Cancel at period end',
      `Cancel ${s.store_subscription_identifier} in Stripe at the end of its period (${time(s.current_period_ends_at)})?`
      + ' The customer keeps access until then.',
      () => post(`${base}/actions/cancel`, {}), 'Cancelled at the period end.'));
  }
  if (!ended) {
    buttons.push(action(tr, projectId, slot, 'cancel-now', 'Cancel now',
      `End ${s.store_subscription_identifier} in Stripe now? The customer loses access at once, without a refund.`,
      () => post(`${base}/actions/cancel`, { cancel_now: true }), 'Cancelled now.'));
  }
  if (Number(s.total_revenue_in_usd.gross) > 0) {
    buttons.push(action(tr, projectId, slot, 'refund-latest', 'Refund latest payment',
      `Refund the latest payment of ${s.store_subscription_identifier} in Stripe`
      + (ended ? '?' : ' and end the subscription now? The customer loses access at once.'),
      () => post(`${base}/actions/refund`), 'Refunded the latest payment.'));
  }
  buttons.push(action(tr, projectId, slot, 'refresh-subscription', 'Refresh from Stripe', null,
    async () => {
      await post(path`/v2/projects/${projectId}/purchases/${s.id}/actions/refresh`);
      return get(base);
    }, 'Refreshed from Stripe.'));
  return h('div', { class: 'actions' }, buttons);
}

/** A button that asks `question` (unless null), runs `call` and redraws the row with the subscription it answers. */
function action(tr, projectId, slot, name, label, question, call, done) {
  const button = h('button', { type: 'button', class: `secondary ${name}` }, label);
  button.addEventListener('click', async () => {
    if (question && !confirm(question)) return;
    const updated = await act(button, slot, call);
    if (updated) show(tr, projectId, updated, done);
  });
  return button;
}
