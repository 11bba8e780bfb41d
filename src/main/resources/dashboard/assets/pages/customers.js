// /projects/{project_id}/customers[/{app_user_id}]: the project's customers (paged, searchable), and one customer's
// state: RevenueCat v2's customer object, its aliases and attributes, and Substate's profile extension (purchases,
// granted entitlements, history).
import { get, post, path, listAll, ApiError } from '../api.js';
import { h, fill, field, select, table, time, notice, code, badge, section, definitionList, act, showResult } from '../ui.js';
import { navigate } from '../nav.js';
import { customerSubscriptions } from './customer-subscriptions.js';

export async function customerLookupPage(main, projectId) {
  document.title = 'Customers · Substate';
  const results = h('div', { id: 'customer-results' });
  main.append(h('h1', {}, 'Customers'), lookupForm(projectId, '', results, true), results);
  await showPage(projectId, results, path`/v2/projects/${projectId}/customers`, null);
}

/**
 * Search by App User ID or alias, Stripe customer id (cus_…) or email (any case): one match opens the customer, more
 * are listed in `results`. On the list page (`listWhenEmpty`), an empty search lists every customer again.
 */
function lookupForm(projectId, value, results, listWhenEmpty) {
  const input = h('input', { type: 'search', id: 'customer-lookup', required: !listWhenEmpty, value, spellcheck: 'false',
    placeholder: 'user-42, $RCAnonymousID:…, cus_…, someone@example.com' });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'customer-lookup-submit' }, 'Search');
  const form = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Find a customer' },
    field('App User ID, alias, Stripe customer id or email', input), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const term = input.value.trim();
    if (!term) {
      if (listWhenEmpty) act(button, slot, () => showPage(projectId, results, path`/v2/projects/${projectId}/customers`, null));
      return;
    }
    act(button, slot, async () => {
      const found = await get(path`/v2/projects/${projectId}/customers?search=${term}`);
      if (found.items.length === 1) {
        navigate(path`/projects/${projectId}/customers/${found.items[0].id}`);
      } else {
        await showPage(projectId, results, path`/v2/projects/${projectId}/customers?search=${term}`, term);
      }
    });
  });
  return form;
}

/** One page of customers in `container`, with a button to the next page (RevenueCat's next_page). */
async function showPage(projectId, container, url, term) {
  const page = await get(url);
  const rows = page.items.map((c) => h('tr', { 'data-customer-id': c.id },
    h('td', {}, h('a', { href: path`/projects/${projectId}/customers/${c.id}` }, c.id)),
    h('td', {}, time(c.first_seen_at)),
    h('td', {}, time(c.last_seen_at))));
  const next = page.next_page ? h('button', { type: 'button', class: 'secondary', id: 'customers-next' }, 'Next page')
    : null;
  next?.addEventListener('click', () => showPage(projectId, container, page.next_page, term));
  fill(container,
    term ? h('p', { class: 'hint' }, `Customers matching "${term}":`) : null,
    rows.length ? table(['App User ID', 'First seen', 'Last seen'], rows, { id: 'customers' })
      : h('p', { class: 'empty', id: 'customers' }, term ? `No customer matches "${term}".` : 'No customer yet.'),
    next);
}

export async function customerPage(main, projectId, appUserId) {
  document.title = `${appUserId} · Customers · Substate`;
  const results = h('div', { id: 'customer-results' });
  main.append(h('h1', {}, 'Customer'), lookupForm(projectId, appUserId, results, false), results);
  const base = path`/v2/projects/${projectId}/customers/${appUserId}`;
  let customer;
  try {
    customer = await get(base);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'resource_missing' && error.message.startsWith('Customer ')) {
      main.append(notice('warn', 'No customer with App User ID or alias "', appUserId, '" in this project.'));
      return;
    }
    throw error;
  }
  const [aliases, attributes, profile, entitlements] = await Promise.all([listAll(`${base}/aliases`),
    listAll(`${base}/attributes`), get(`${base}/profile`), listAll(path`/v2/projects/${projectId}/entitlements`)]);
  const lookupKeys = Object.fromEntries(entitlements.map((e) => [e.id, e.lookup_key]));
  const active = customer.active_entitlements.items;
  const oneTime = profile.purchases.filter((p) => p.kind !== 'subscription');
  const subscriptionsSlot = h('div', { id: 'customer-subscriptions' });
  // One container per section, in this order: other pages' features add theirs beside these.
  main.append(h('div', { id: 'customer-sections' },
    section('Identity', definitionList([
      ['App User ID', code(customer.id)],
      ['Aliases', h('span', { id: 'aliases' }, aliases.map((a) => [code(a.id), ' ']))],
      ['First seen', time(customer.first_seen_at)],
      ['Last seen', time(customer.last_seen_at)],
    ])),
    section('Active entitlements', active.length
      ? h('ul', { id: 'active-entitlements', class: 'chips' }, active.map((e) => h('li', {},
        badge(lookupKeys[e.entitlement_id] ?? e.entitlement_id, 'ok'), ' ',
        h('small', { class: 'hint' }, e.expires_at === null ? 'no end' : ['until ', time(e.expires_at)]))))
      : h('p', { class: 'empty', id: 'active-entitlements' }, 'No active entitlement.')),
    grantsSection(projectId, appUserId, profile, entitlements),
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
    section('Attributes', attributes.length ? table(['Name', 'Value', 'Updated'],
      attributes.map((a) => h('tr', {},
        h('td', {}, code(a.name)), h('td', {}, a.value), h('td', {}, time(a.updated_at)))), { id: 'attributes' })
      : h('p', { class: 'empty', id: 'attributes' }, 'No attribute.')),
    section('History', history(projectId, profile))));
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
function grantsSection(projectId, appUserId, profile, entitlements) {
  const grants = profile.granted_entitlements ?? [];
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

function history(projectId, profile) {
  if (!profile.history.length) return h('p', { class: 'empty', id: 'history' }, 'Nothing happened yet.');
  const appOf = Object.fromEntries(profile.purchases.map((p) => [p.id, p.app_id]));
  return h('ol', { class: 'timeline', id: 'history' }, profile.history.map((entry) => {
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
