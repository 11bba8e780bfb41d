// /projects/{project_id}/customers[/{app_user_id}]: look up a customer by App User ID or alias, and show its state.
import { get, post, path, listAll, ApiError } from '../api.js';
import { h, field, select, table, time, notice, code, badge, section, definitionList, act, showResult } from '../ui.js';
import { navigate } from '../nav.js';
import { customerSubscriptions } from './customer-subscriptions.js';

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
  const entitlements = await listAll(path`/v2/projects/${projectId}/entitlements`);
  const oneTime = customer.purchases.filter((p) => p.kind !== 'subscription');
  const subscriptionsSlot = h('div', { id: 'customer-subscriptions' });
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
    grantsSection(projectId, appUserId, customer, entitlements),
    subscriptionsSlot,
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
  await customerSubscriptions(subscriptionsSlot, projectId, appUserId);
}

/** RevenueCat's promotional durations, with their fixed lengths (README, "Granted entitlements"). */
const DURATIONS = [['daily', 'A day'], ['three_day', '3 days'], ['weekly', 'A week'], ['two_week', '2 weeks'],
  ['monthly', 'A month (31 days)'], ['two_month', '2 months (61 days)'], ['three_month', '3 months (92 days)'],
  ['six_month', '6 months (183 days)'], ['yearly', 'A year (365 days)'], ['lifetime', 'Lifetime (200 years)'],
  ['custom', 'Until an end date…']];

/**
 * Granted entitlements (RevenueCat's promotional ones): each grant with its state and a Revoke button while it gives
 * access, and a form that grants an entitlement for one of RevenueCat's durations or until an end date (UTC).
 */
function grantsSection(projectId, appUserId, customer, entitlements) {
  const grants = customer.granted_entitlements ?? [];
  const rows = grants.map((g) => h('tr', { 'data-grant-id': g.id },
    h('td', {}, code(g.lookup_key)),
    h('td', {}, code(g.product_identifier)),
    h('td', {}, time(g.starts_at)),
    h('td', {}, time(g.expires_at)),
    h('td', {}, g.active ? badge('Active', 'ok') : g.revoked_at ? [badge('Revoked', 'neutral'), ' ', time(g.revoked_at)]
      : badge('Expired', 'neutral')),
    h('td', {}, g.active ? revokeButton(projectId, appUserId, g) : null)));
  return section('Granted entitlements',
    h('p', {}, 'Access given by hand (beta access, goodwill), as RevenueCat\'s promotional entitlements: no purchase, '
      + 'no revenue; the customer\'s apps see it like a subscription from store "promotional".'),
    grants.length ? table(['Entitlement', 'Product', 'Granted', 'Expires', 'State', ''], rows, { id: 'granted-entitlements' })
      : h('p', { class: 'empty', id: 'granted-entitlements' }, 'No granted entitlement.'),
    grantForm(projectId, appUserId, entitlements));
}

function grantForm(projectId, appUserId, entitlements) {
  if (!entitlements.length) {
    return h('p', { class: 'hint', id: 'grant-form' }, 'This project has no entitlement to grant yet: ',
      h('a', { href: path`/projects/${projectId}/entitlements` }, 'create one'), '.');
  }
  const entitlement = select({ id: 'grant-entitlement' },
    entitlements.map((e) => [e.id, e.display_name && e.display_name !== e.lookup_key
      ? `${e.lookup_key} (${e.display_name})` : e.lookup_key]));
  const duration = select({ id: 'grant-duration' }, DURATIONS, 'monthly');
  const end = h('input', { type: 'datetime-local', id: 'grant-end', step: '60' });
  const endField = field('Ends at (UTC)', end, 'The grant starts now and ends at this time.');
  endField.hidden = true;
  duration.addEventListener('change', () => {
    endField.hidden = duration.value !== 'custom';
    end.required = duration.value === 'custom';
  });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'grant-submit' }, 'Grant');
  const form = h('form', { class: 'inline-form', id: 'grant-form', 'aria-label': 'Grant an entitlement' },
    field('Entitlement', entitlement), field('Duration', duration), endField, button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { entitlement_id: entitlement.value };
    if (duration.value === 'custom') {
      const millis = Date.parse(`${end.value}Z`);
      if (Number.isNaN(millis)) {
        showResult(slot, 'error', 'Choose when the grant ends.');
        return;
      }
      body.expires_at = millis;
    } else {
      body.duration = duration.value;
    }
    act(button, slot, async () => {
      await post(path`/v2/projects/${projectId}/customers/${appUserId}/actions/grant_entitlement`, body);
      await showAgain(projectId, appUserId);
    });
  });
  return form;
}

function revokeButton(projectId, appUserId, grant) {
  const slot = h('div', { class: 'result' });
  const button = h('button', { type: 'button', class: 'secondary revoke-grant', 'data-entitlement-id': grant.entitlement_id,
    title: `Ends every active grant of ${grant.lookup_key} now` }, 'Revoke');
  button.addEventListener('click', async () => {
    const revoked = await act(button, slot, () => post(
      path`/v2/projects/${projectId}/customers/${appUserId}/actions/revoke_granted_entitlement`,
      { entitlement_id: grant.entitlement_id }));
    if (revoked) await showAgain(projectId, appUserId);
  });
  return h('div', {}, button, slot);
}

/** Shows the customer again, after a change made on this page. */
async function showAgain(projectId, appUserId) {
  const main = document.querySelector('main');
  main.replaceChildren();
  await customerPage(main, projectId, appUserId);
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
