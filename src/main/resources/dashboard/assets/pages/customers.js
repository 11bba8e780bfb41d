// /projects/{project_id}/customers[/{app_user_id}]: look up a customer by App User ID or alias, and show its state.
import { get, post, path, ApiError } from '../api.js';
import { h, field, table, time, notice, code, badge, section, definitionList, act, showResult } from '../ui.js';
import { navigate } from '../nav.js';

export async function customerLookupPage(main, projectId) {
  document.title = 'Customers · Substate';
  main.append(h('h1', {}, 'Customers'), lookupForm(projectId, ''));
}

function lookupForm(projectId, value) {
  const input = h('input', { type: 'search', id: 'customer-lookup', required: true, value, spellcheck: 'false',
    placeholder: 'user-42, $RCAnonymousID:…, cus_…' });
  const form = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Find a customer' },
    field('App User ID or alias', input), h('button', { type: 'submit', id: 'customer-lookup-submit' }, 'Look up'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim()) navigate(path`/projects/${projectId}/customers/${input.value.trim()}`);
  });
  return form;
}

export async function customerPage(main, projectId, appUserId) {
  document.title = `${appUserId} · Customers · Substate`;
  main.append(h('h1', {}, 'Customer'), lookupForm(projectId, appUserId));
  let customer;
  try {
    customer = await get(path`/v2/projects/${projectId}/customers/${appUserId}`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'resource_missing' && error.message.startsWith('Customer ')) {
      main.append(notice('warn', 'No customer with App User ID or alias "', appUserId, '" in this project.'));
      return;
    }
    throw error;
  }
  const subscriptions = customer.purchases.filter((p) => p.kind === 'subscription');
  const oneTime = customer.purchases.filter((p) => p.kind !== 'subscription');
  main.append(
    section('Identity', definitionList([
      ['Original App User ID', code(customer.original_app_user_id)],
      ['Aliases', customer.aliases.length ? customer.aliases.map((a) => [code(a), ' ']) : '—'],
      ['First seen', time(customer.first_seen)],
      ['Last seen', time(customer.last_seen)],
    ])),
    section('Active entitlements', customer.active_entitlements.length
      ? h('ul', { id: 'active-entitlements', class: 'chips' }, customer.active_entitlements.map((e) => h('li', {}, badge(e, 'ok'))))
      : h('p', { class: 'empty', id: 'active-entitlements' }, 'No active entitlement.')),
    section('Subscriptions', subscriptions.length ? table(
      ['Product', 'Status', 'Period', 'Environment', 'Purchased', 'Expires', 'Notes', 'Access', 'Stripe'],
      subscriptions.map((p) => h('tr', {},
        h('td', {}, code(p.product_id ?? '—'), h('br'), h('small', { class: 'hint' }, p.store_token)),
        h('td', {}, p.status),
        h('td', {}, p.period_type),
        h('td', {}, p.environment),
        h('td', {}, time(p.purchased_at)),
        h('td', {}, time(p.expires_at)),
        h('td', {}, notes(p)),
        h('td', {}, p.grants_access ? badge('Active', 'ok') : badge('No access', 'neutral')),
        h('td', {}, refreshButton(projectId, appUserId, p)))),
      { id: 'subscriptions' }) : h('p', { class: 'empty', id: 'subscriptions' }, 'No subscription.')),
    section('One-time purchases', oneTime.length ? table(
      ['Product', 'Status', 'Environment', 'Purchased', 'Notes', 'Access'],
      oneTime.map((p) => h('tr', {},
        h('td', {}, code(p.product_id ?? '—'), h('br'), h('small', { class: 'hint' }, p.store_token)),
        h('td', {}, p.status),
        h('td', {}, p.environment),
        h('td', {}, time(p.purchased_at)),
        h('td', {}, notes(p)),
        h('td', {}, p.grants_access ? badge('Active', 'ok') : badge('No access', 'neutral')))),
      { id: 'one-time-purchases' }) : h('p', { class: 'empty', id: 'one-time-purchases' }, 'No one-time purchase.')),
    section('Attributes', Object.keys(customer.attributes).length ? table(['Name', 'Value', 'Updated'],
      Object.entries(customer.attributes).map(([name, a]) => h('tr', {},
        h('td', {}, code(name)), h('td', {}, a.value), h('td', {}, time(a.updated_at_ms)))), { id: 'attributes' })
      : h('p', { class: 'empty', id: 'attributes' }, 'No attribute.')),
    section('History', history(projectId, customer)));
}

/**
 * "Refresh from Stripe": re-reads the subscription with the app's Stripe API key now, through the same state machine
 * as a webhook, then shows the customer again (the state, and any event it sent, appear at once).
 */
function refreshButton(projectId, appUserId, purchase) {
  const slot = h('div', { class: 'result' });
  const button = h('button', { type: 'button', class: 'refresh-purchase', 'data-purchase-id': purchase.id },
    'Refresh from Stripe');
  button.addEventListener('click', async () => {
    const refreshed = await act(button, slot,
      () => post(path`/v2/projects/${projectId}/purchases/${purchase.id}/actions/refresh`));
    if (refreshed) {
      showResult(slot, 'ok', 'Refreshed: ', refreshed.status ?? 'done');
      const main = document.querySelector('main');
      main.replaceChildren();
      await customerPage(main, projectId, appUserId);
    }
  });
  return h('div', {}, button, slot);
}

function notes(p) {
  return [
    p.unsubscribe_detected_at ? h('div', {}, 'Cancelled ', time(p.unsubscribe_detected_at)) : null,
    p.billing_issues_detected_at ? h('div', {}, 'Billing issue ', time(p.billing_issues_detected_at)) : null,
    p.refunded_at ? h('div', {}, 'Refunded ', time(p.refunded_at)) : null,
  ];
}

function history(projectId, customer) {
  if (!customer.history.length) return h('p', { class: 'empty', id: 'history' }, 'Nothing happened yet.');
  const appOf = Object.fromEntries(customer.purchases.map((p) => [p.id, p.app_id]));
  return h('ol', { class: 'timeline', id: 'history' }, customer.history.map((entry) => {
    const stripe = entry.kind === 'stripe_event';
    const app = appOf[entry.purchase_id];
    return h('li', { class: `timeline-${entry.kind}` },
      h('time', {}, time(entry.at)), ' ',
      badge(stripe ? 'Stripe event' : 'Sent event', stripe ? 'neutral' : 'info'), ' ',
      code(entry.type), ' ',
      stripe ? h('span', { class: 'hint' }, entry.status, ' · ', app
        ? h('a', { href: path`/projects/${projectId}/apps/${app}/events` }, entry.id) : entry.id)
        : h('span', { class: 'hint' }, entry.id));
  }));
}
