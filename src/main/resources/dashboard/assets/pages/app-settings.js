// /projects/{project_id}/apps/{app_id}: the app's settings, with the seed's "Webhook Configuration" section.
import { get, patch, post, del, listAll, path } from '../api.js';
import { navigate } from '../nav.js';
import { h, fill, field, act, showResult, copyButton, section, code, notice, errorText, definitionList } from '../ui.js';
import { STRIPE_EVENT_TYPES } from '../stripe-help.js';
import { appHeader, signatureFailures } from './app-tabs.js';

const DETECTION_METHODS = [
  ['anonymous', 'Use anonymous App User IDs',
    'Substate generates an anonymous App User ID ($RCAnonymousID:…) for the purchase.'],
  ['stripe_customer_id', 'Use Stripe Customer ID as App User ID',
    'The Stripe Customer ID (cus_…) becomes the App User ID. Guest checkouts (no customer) get an anonymous ID. '
    + 'Only choose this if you use the Stripe Customer ID as App User ID everywhere.'],
  ['metadata', 'Read App User ID from a Stripe metadata field',
    'Substate reads the field from the Checkout Session metadata for checkout sessions, and from the Subscription '
    + 'metadata for subscriptions. Its value must be exactly the App User ID.'],
];

export async function appSettingsPage(main, projectId, appId) {
  const app = await get(path`/v2/projects/${projectId}/apps/${appId}`);
  document.title = `${app.name} · Substate`;
  const refresh = async () => {
    const fresh = await get(path`/v2/projects/${projectId}/apps/${appId}`);
    fill(main, build(fresh, refresh));
  };
  fill(main, build(app, refresh));
}

function build(app, refresh) {
  return [
    ...appHeader(app, 'settings'),
    webhookConfiguration(app, refresh),
    stripeApiSection(app, refresh),
    importSection(app),
    generalSection(app),
    troubleshooting(app),
    deleteSection(app),
  ];
}

function webhookConfiguration(app, refresh) {
  const endpoint = h('input', { type: 'text', id: 'stripe-webhook-endpoint', readonly: true, value: app.stripe.webhook_url,
    class: 'mono' });
  return h('details', { class: 'card', id: 'webhook-configuration', open: true },
    h('summary', {}, h('h2', {}, 'Webhook Configuration')),
    h('div', { class: 'field' },
      h('label', { for: endpoint.id }, 'Stripe Webhook Endpoint'),
      h('div', { class: 'with-buttons' }, endpoint, copyButton(endpoint)),
      h('small', { class: 'hint' }, 'In Stripe: Developers → Webhooks → Add endpoint. Paste this URL in Endpoint URL, '
        + 'select the events below, and click Add endpoint.')),
    eventTypes(),
    secretForm(app, refresh),
    trackingForm(app, refresh),
    signatureFailures(app));
}

function eventTypes() {
  return h('div', { class: 'event-types', id: 'stripe-event-types' },
    h('h3', {}, 'Events to select in Stripe'),
    h('ul', {}, STRIPE_EVENT_TYPES.map(({ type, trackingOnly }) => h('li', {}, code(type),
      trackingOnly ? h('span', { class: 'tag' }, ' only if Track new purchases is on') : null))),
    notice('warn', 'Select only these events, all on one endpoint. Any other type is answered with a 400 error '
      + '(unsupported_event_type), and Stripe eventually disables an endpoint that keeps failing.'));
}

function secretForm(app, refresh) {
  const input = h('input', { type: 'password', id: 'stripe-webhook-secret', autocomplete: 'off', spellcheck: 'false',
    placeholder: app.stripe.webhook_secret_set ? '•••••••• (saved; paste a new secret to replace it)' : 'whsec_…' });
  const status = h('p', { class: 'secret-status', id: 'webhook-secret-status' }, app.stripe.webhook_secret_set
    ? '✓ A Stripe Webhook Secret is saved (it is never shown again).'
    : 'No secret saved: Stripe\'s deliveries are refused (webhook_secret_not_configured) until you save one.');
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'save-webhook-secret' }, 'Save');
  const form = h('form', { class: 'subform', 'aria-label': 'Stripe Webhook Secret' },
    field('Stripe Webhook Secret', input, 'After adding the endpoint, copy its Signing secret in Stripe (whsec_…) and '
      + 'paste it here. A replaced secret stays valid for 24 hours, as Stripe rolls secrets.'),
    status, slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.value.trim()) {
      showResult(slot, 'error', 'Paste the Signing secret from Stripe first.');
      return;
    }
    act(button, slot, async () => {
      await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`, { stripe: { webhook_secret: input.value.trim() } });
      await refresh();
      document.getElementById('webhook-secret-status')?.after(notice('ok', 'Stripe Webhook Secret saved.'));
    });
  });
  return form;
}

function trackingForm(app, refresh) {
  const track = h('input', { type: 'checkbox', id: 'track-new-purchases', checked: app.stripe.track_new_purchases });
  const metadataKey = h('input', { type: 'text', id: 'metadata-field-key', maxlength: 40, spellcheck: 'false',
    value: app.stripe.metadata_key ?? '', placeholder: 'app_user_id' });
  const metadataField = field('Metadata field key', metadataKey, 'The metadata key that holds the App User ID.');
  const radios = DETECTION_METHODS.map(([value, label, hint]) => {
    const radio = h('input', { type: 'radio', name: 'app-user-id-detection', id: `detection-${value}`, value,
      checked: app.stripe.app_user_id_detection === value });
    return h('div', { class: 'radio' }, radio, h('label', { for: radio.id }, label),
      h('small', { class: 'hint' }, hint));
  });
  const methods = h('fieldset', { id: 'app-user-id-detection' }, h('legend', {}, 'App User ID detection method'),
    radios, metadataField);
  const sync = () => {
    const chosen = methods.querySelector('input[type=radio]:checked')?.value;
    metadataField.hidden = chosen !== 'metadata';
    methods.disabled = !track.checked;
  };
  track.addEventListener('change', sync);
  methods.addEventListener('change', sync);
  sync();
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'save-tracking' }, 'Save tracking settings');
  const form = h('form', { class: 'subform', 'aria-label': 'Track new purchases' },
    h('div', { class: 'checkbox' }, track,
      h('label', { for: track.id }, 'Track new purchases from server-to-server notifications')),
    h('p', { class: 'hint' }, 'Off: Substate only processes events for purchases your server posted to /v1/receipts. '
      + 'On: purchases Substate does not know yet are created from Stripe\'s notifications, with the App User ID '
      + 'found by the method below. Also select the two tracking events in Stripe.'),
    methods, slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = methods.querySelector('input[type=radio]:checked')?.value;
    const stripe = { track_new_purchases: track.checked };
    if (chosen) stripe.app_user_id_detection = chosen;
    if (chosen === 'metadata') {
      if (!metadataKey.value.trim()) {
        showResult(slot, 'error', 'Enter the Metadata field key that holds the App User ID.');
        return;
      }
      stripe.metadata_key = metadataKey.value.trim();
    }
    act(button, slot, async () => {
      await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`, { stripe });
      await refresh();
      document.getElementById('save-tracking')?.before(notice('ok', 'Tracking settings saved.'));
    });
  });
  return form;
}

function stripeApiSection(app, refresh) {
  const key = h('input', { type: 'password', id: 'stripe-api-key', autocomplete: 'off', spellcheck: 'false',
    placeholder: app.stripe.api_key_set ? '•••••••• (saved; paste a new key to replace it)' : 'rk_live_… or rk_test_…' });
  const keySlot = h('div', { class: 'form-message' });
  const keyButton = h('button', { type: 'submit', id: 'save-stripe-api-key' }, 'Save API key');
  const keyForm = h('form', { class: 'subform', 'aria-label': 'Stripe API key' },
    field('Stripe API key', key, 'Optional. A restricted key (rk_…) with read access to Subscriptions, Checkout '
      + 'Sessions, Invoices, Charges, Payment Intents and Events. Needed for /v1/receipts, one-time purchases, '
      + 'refunds and backfill.'),
    h('p', { class: 'secret-status' }, app.stripe.api_key_set ? '✓ A Stripe API key is saved.' : 'No Stripe API key saved.'),
    keySlot, keyButton);
  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!key.value.trim()) {
      showResult(keySlot, 'error', 'Paste the Stripe API key first.');
      return;
    }
    act(keyButton, keySlot, async () => {
      await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`, { stripe: { api_key: key.value.trim() } });
      await refresh();
    });
  });

  const checkSlot = h('div', { class: 'form-message', id: 'check-connection-result' });
  const checkButton = h('button', { type: 'button', class: 'secondary', id: 'check-connection' }, 'Check connection');
  checkButton.addEventListener('click', () => act(checkButton, null, async () => {
    try {
      const result = await post(path`/v2/projects/${app.project_id}/apps/${app.id}/actions/check_connection`);
      checkSlot.replaceChildren(notice(result.mode_matches_events === false ? 'warn' : 'ok', result.message),
        definitionList([['Stripe account', code(result.account_id)], ['Key mode', result.mode],
          result.business_name ? ['Business name', result.business_name] : null,
          ['Mode of the latest event', result.events_mode ?? 'no event yet']]));
    } catch (error) {
      checkSlot.replaceChildren(notice('error', errorText(error)));
    }
  }));

  const portal = h('input', { type: 'url', id: 'customer-portal-url', value: app.stripe.management_url ?? '',
    placeholder: 'https://billing.stripe.com/p/login/…' });
  const portalSlot = h('div', { class: 'form-message' });
  const portalButton = h('button', { type: 'submit', id: 'save-customer-portal-url' }, 'Save portal URL');
  const portalForm = h('form', { class: 'subform', 'aria-label': 'Customer portal URL' },
    field('Customer portal URL', portal, 'Returned to apps as management_url, so customers can manage their '
      + 'subscription (your Stripe customer portal link). Leave empty for none.'),
    portalSlot, portalButton);
  portalForm.addEventListener('submit', (event) => {
    event.preventDefault();
    act(portalButton, portalSlot, async () => {
      const value = portal.value.trim();
      await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`, { stripe: { management_url: value || null } });
      showResult(portalSlot, 'ok', value ? 'Customer portal URL saved.' : 'Customer portal URL removed.');
    });
  });

  return section('Stripe API', keyForm, h('div', { class: 'subform' }, checkButton, checkSlot), portalForm);
}

// "Import from Stripe": starts POST …/actions/import and follows GET …/imports/{id} every second while it runs.
// Stripe's lists say no total, so progress is counts and the phase, not a percentage.
function importSection(app) {
  const base = path`/v2/projects/${app.project_id}/apps/${app.id}`;
  const dryRun = h('input', { type: 'checkbox', id: 'import-dry-run' });
  const deliver = h('input', { type: 'checkbox', id: 'import-deliver-events' });
  const slot = h('div', { class: 'form-message', id: 'import-progress', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: 'import-from-stripe' }, 'Import from Stripe');
  let timer = null;
  const show = (run) => {
    const c = run.counters;
    const kind = run.status === 'failed' ? 'error' : run.status === 'completed' ? 'ok' : 'info';
    slot.replaceChildren(notice(kind, run.summary), definitionList([
      ['Status', h('span', { id: 'import-status' }, run.status)], ['Phase', run.phase],
      ['Read', `${c.subscriptions_read} subscriptions, ${c.checkout_sessions_read} checkout sessions, `
        + `${c.refunds_read} refunds`],
      [run.dry_run ? 'Would be imported' : 'Imported', String(c.imported)], ['Unchanged', String(c.unchanged)],
      ['Without App User ID', `${c.without_app_user_id}${c.without_app_user_id_ids.length
        ? ` (${c.without_app_user_id_ids.join(', ')})` : ''}`],
      ['Failed', `${c.failed}${c.failures.length ? ` (${c.failures.join('; ')})` : ''}`]]));
    button.disabled = run.status === 'running';
  };
  const follow = async (id) => {
    clearTimeout(timer);
    if (!slot.isConnected && timer !== null) {
      return; // the page was left
    }
    try {
      const run = await get(`${base}/imports/${encodeURIComponent(id)}`);
      show(run);
      if (run.status === 'running') {
        timer = setTimeout(() => follow(id), 1000);
      }
    } catch (error) {
      slot.replaceChildren(notice('error', errorText(error)));
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => act(button, slot, async () => {
    const run = await post(`${base}/actions/import`, { dry_run: dryRun.checked, deliver_events: deliver.checked });
    show(run);
    timer = 0;
    await follow(run.id);
  }));
  get(`${base}/imports?limit=1`).then((list) => {
    const latest = list.items[0];
    if (latest) {
      show(latest);
      if (latest.status === 'running') {
        timer = 0;
        follow(latest.id);
      }
    }
  }).catch(() => {});
  return section('Import from Stripe',
    h('p', {}, 'Reads every subscription (any status) with its latest invoice, every completed Checkout Session and '
      + 'every refund from Stripe with the API key, and applies them as their webhooks would have been, so existing '
      + 'subscribers get their purchases and entitlements now. Safe to run again: unchanged objects change nothing, '
      + 'and a stopped import continues where it stopped.'),
    h('div', { class: 'subform' },
      h('div', { class: 'radio' }, dryRun, h('label', { for: dryRun.id },
        'Dry run: read everything, write nothing, report what would be imported')),
      h('div', { class: 'radio' }, deliver, h('label', { for: deliver.id },
        'Send the imported purchases\' events (INITIAL_PURCHASE…) to integrations')),
      button, slot));
}

function generalSection(app) {
  const name = h('input', { type: 'text', id: 'app-name', required: true, value: app.name });
  const publicKey = h('input', { type: 'text', id: 'app-public-key', readonly: true, value: app.public_api_key,
    class: 'mono' });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'save-app-name' }, 'Rename');
  const form = h('form', { class: 'subform', 'aria-label': 'App name' }, field('App name', name), slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`, { name: name.value.trim() });
      showResult(slot, 'ok', 'Renamed.');
    });
  });
  return section('App',
    h('div', { class: 'field' }, h('label', { for: publicKey.id }, 'Public API key'),
      h('div', { class: 'with-buttons' }, publicKey, copyButton(publicKey)),
      h('small', { class: 'hint' }, 'For RevenueCat SDKs (purchases-js) and GET /v1/subscribers from the browser.')),
    allowedOriginsForm(app),
    form);
}

// The web pages that may use the public key from a browser (CORS). Empty means any origin; the API can also set an
// empty list (no origin), which is shown as such and replaced by whatever is saved here.
function allowedOriginsForm(app) {
  const input = h('textarea', { id: 'allowed-origins', rows: 3, spellcheck: 'false', class: 'mono',
    placeholder: 'https://shop.example.com' });
  input.value = (app.allowed_origins ?? []).join('\n');
  const status = h('p', { class: 'hint', id: 'allowed-origins-status' });
  const describe = (origins) => {
    status.textContent = origins === null ? 'Now: pages of any origin may use the public key.'
      : origins.length === 0 ? 'Now: no web page may use the public key (set through the API).'
        : `Now: only ${origins.length === 1 ? 'this origin' : `these ${origins.length} origins`}.`;
  };
  describe(app.allowed_origins ?? null);
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'save-allowed-origins' }, 'Save allowed origins');
  const form = h('form', { class: 'subform', 'aria-label': 'Allowed origins' },
    field('Allowed origins', input, 'Web pages that may call Substate with the public key from a browser (CORS), one '
      + 'origin per line: scheme://host[:port], no path or trailing slash. Leave empty to allow any origin. The '
      + 'project\'s secret key never works from a browser.'),
    status, slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const origins = input.value.split('\n').map((line) => line.trim()).filter((line) => line);
    act(button, slot, async () => {
      const saved = await patch(path`/v2/projects/${app.project_id}/apps/${app.id}`,
        { allowed_origins: origins.length ? origins : null });
      input.value = (saved.allowed_origins ?? []).join('\n');
      describe(saved.allowed_origins ?? null);
      showResult(slot, 'ok', 'Allowed origins saved.');
    });
  });
  return form;
}

function troubleshooting(app) {
  const events = path`/projects/${app.project_id}/apps/${app.id}/events`;
  return h('details', { class: 'card', id: 'troubleshooting' },
    h('summary', {}, h('h2', {}, 'Stripe webhook 400 errors')),
    h('p', {}, '400 errors almost always come from the configuration. The ',
      h('a', { href: events }, 'Stripe events'), ' page shows each failed event with its reason.'),
    h('h3', {}, 'Configuration'),
    h('ul', {},
      h('li', {}, 'One endpoint carries all the events, not one endpoint per event; only the event types listed '
        + 'above are accepted (unsupported_event_type otherwise).'),
      h('li', {}, 'The Stripe Webhook Secret must be saved here and identical to the endpoint\'s Signing secret in '
        + 'Stripe; if it is missing or different, every delivery fails with a 400 (webhook_secret_not_configured or '
        + 'invalid_signature).'),
      h('li', {}, 'Test mode and live mode are separate in Stripe: each mode has its own endpoints and secrets.')),
    h('h3', {}, 'Reconnecting Stripe'),
    h('p', {}, 'Substate connects to Stripe through the webhook endpoint and an API key (no Stripe App to install). '
      + 'To reconnect:'),
    h('ol', {},
      h('li', {}, 'In the Stripe Dashboard, turn the test mode switch to the mode you mean to use (off for live).'),
      h('li', {}, 'Open Developers → Webhooks. Delete stale endpoints of this app, then add one with the Stripe Webhook '
        + 'Endpoint above and the events listed above.'),
      h('li', {}, 'Copy the new endpoint\'s Signing secret and save it in Stripe Webhook Secret: a recreated endpoint '
        + 'has a new secret, and the two must be the same.'),
      h('li', {}, 'If the Stripe API key was rolled or belongs to the other mode, save a new restricted key and click '
        + 'Check connection: the key\'s mode must match the events\' mode.'),
      h('li', {}, 'Replay the failed events from the Stripe events page, or run "substate stripe backfill --app ',
        app.id, ' --since 3d" to catch up with events Stripe sent while the endpoint was broken.')));
}

// Deleting an app takes what was recorded through it (README, "Deleting an app"); the confirmation names it all.
function deleteSection(app) {
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'button', class: 'danger', id: 'delete-app' }, 'Delete app');
  button.addEventListener('click', () => act(button, slot, async () => {
    const base = path`/v2/projects/${app.project_id}`;
    const [products, integrations] = await Promise.all([
      listAll(`${base}/products?app_id=${encodeURIComponent(app.id)}`), listAll(`${base}/integrations/webhooks`)]);
    const limited = integrations.filter((i) => i.app_id === app.id);
    const lines = [
      `Delete the app ${app.name} (${app.id})? This cannot be undone. It removes:`,
      '- the app, its public key, its Stripe key and webhook secrets (its Stripe Webhook Endpoint answers 404)',
      `- its ${products.length} product(s)${products.length ? `: ${products.map((p) => p.store_identifier).join(', ')}` : ''}, `
        + 'detached from every entitlement and package',
      '- every purchase recorded through it, with its revenue in the charts, and its Stripe event log',
      `- ${limited.length} webhook integration(s) limited to it${limited.length ? `: ${limited.map((i) => i.name).join(', ')}` : ''}`,
      'Customers, entitlements, offerings, other apps and the events already sent stay.',
    ];
    if (!confirm(lines.join('\n'))) return;
    await del(path`/v2/projects/${app.project_id}/apps/${app.id}`);
    navigate(path`/projects/${app.project_id}`);
  }));
  return section('Delete app',
    h('p', {}, 'Deleting the app removes it with its products (detached from entitlements and packages), every '
      + 'purchase recorded through it (and its revenue in the charts), its Stripe event log and the webhook '
      + 'integrations limited to it. Customers, entitlements, offerings and other apps stay. Nothing is changed in '
      + 'Stripe: remove the webhook endpoint there too.'),
    slot, button);
}
