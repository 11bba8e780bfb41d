// /projects/{project_id} (also /apps): project settings and the project's apps ("Project Settings > Apps").
import { get, patch, post, del, listAll, path } from '../api.js';
import { h, fill, field, select, table, time, act, showResult, notice, code, copyButton, section, badge } from '../ui.js';
import { navigate } from '../nav.js';

export const TRANSFER_BEHAVIORS = [
  ['transfer', 'Transfer to the new App User ID (default)'],
  ['transfer_if_no_active_subs', 'Transfer only if the original owner has no active subscription'],
  ['keep_with_original', 'Keep with the original App User ID (restore fails with error 7102)'],
];

export async function projectPage(main, projectId) {
  const [project, apps, apiKeys] = await Promise.all([get(path`/v2/projects/${projectId}`),
    listAll(path`/v2/projects/${projectId}/apps`), listAll(path`/v2/projects/${projectId}/api_keys`)]);
  document.title = `${project.name} · Substate`;
  main.append(h('h1', {}, 'Project settings: ', project.name));
  main.append(appsSection(project, apps), settingsForm(project), keysSection(project, apiKeys));
}

function appsSection(project, apps) {
  const rows = apps.map((app) => h('tr', {},
    h('td', {}, h('a', { href: path`/projects/${project.id}/apps/${app.id}` }, app.name)),
    h('td', {}, code(app.id)),
    h('td', {}, app.stripe.webhook_secret_set ? badge('Secret set', 'ok') : badge('No webhook secret', 'warn')),
    h('td', {}, app.stripe.track_new_purchases ? 'On' : 'Off'),
    h('td', {}, h('a', { href: path`/projects/${project.id}/apps/${app.id}/events` }, 'Stripe events'))));
  const name = h('input', { type: 'text', id: 'new-app-name', required: true, maxlength: 200 });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-app' }, 'Create Stripe app');
  const form = h('form', { class: 'inline-form', 'aria-label': 'New Stripe app' },
    field('New app name', name), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      const app = await post(path`/v2/projects/${project.id}/apps`, { name: name.value.trim(), type: 'stripe' });
      navigate(path`/projects/${project.id}/apps/${app.id}`);
    });
  });
  return section('Apps',
    h('p', {}, 'Each Stripe app has its own Stripe Webhook Endpoint and settings. Select an app to set it up.'),
    apps.length === 0 ? h('p', { class: 'empty' }, 'No app yet.')
      : table(['App', 'App ID', 'Webhook secret', 'Track new purchases', ''], rows, { id: 'apps' }),
    form);
}

function settingsForm(project) {
  const name = h('input', { type: 'text', id: 'project-name', required: true, value: project.name });
  const behavior = select({ id: 'transfer-behavior' }, TRANSFER_BEHAVIORS, project.transfer_behavior);
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'save-project' }, 'Save project settings');
  const form = h('form', { class: 'card', 'aria-labelledby': 'project-settings-title' },
    h('h2', { id: 'project-settings-title' }, 'General'),
    field('Project name', name),
    field('Transfer behavior', behavior, 'Applied when a purchase is posted to /v1/receipts (or tracked from Stripe) '
      + 'for another App User ID than its owner.'),
    slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      const saved = await patch(path`/v2/projects/${project.id}`,
        { name: name.value.trim(), transfer_behavior: behavior.value });
      showResult(slot, 'ok', `Saved. Transfer behavior: ${saved.transfer_behavior}.`);
    });
  });
  return form;
}

// The secret key of a project made in this tab, shown once on its page: the server answers it only to the create.
export const newSecretKeys = new Map();

function keysSection(project, apiKeys) {
  const hint = code(project.secret_api_key_hint);
  hint.id = 'project-secret-key-hint';
  const slot = h('div', { class: 'form-message', id: 'project-secret-key-message' });
  const showOnce = (key, what) => {
    const shown = h('input', { type: 'text', id: 'project-secret-key', readonly: true, class: 'mono', value: key });
    slot.replaceChildren(notice('warn', h('div', { class: 'field' },
      h('label', { for: shown.id }, `${what}: copy it now, it is not shown again`),
      h('div', { class: 'with-buttons' }, shown, copyButton(shown)))));
  };
  const roll = h('button', { type: 'button', class: 'danger', id: 'roll-secret-key' }, 'Roll secret key');
  roll.addEventListener('click', () => {
    if (!confirm('Make a new secret key? The current one is refused from now on: update your servers first.')) return;
    act(roll, slot, async () => {
      const rolled = await post(path`/v2/projects/${project.id}/actions/roll_secret_api_key`, {});
      hint.textContent = rolled.secret_api_key_hint;
      showOnce(rolled.secret_api_key, 'New secret API key');
    });
  });
  if (newSecretKeys.has(project.id)) {
    showOnce(newSecretKeys.get(project.id), 'Secret API key of the new project');
    newSecretKeys.delete(project.id);
  }
  return section('API keys',
    h('div', { class: 'field' }, h('strong', {}, 'Secret API key (server side only)'),
      h('div', { class: 'with-buttons' }, hint, roll), slot,
      h('small', { class: 'hint' }, 'For your server: /v1/receipts, attributes and deletes, and every /v2 route of '
        + 'this project. Never ship it in an app. It is shown once, when made or rolled; Substate keeps only its '
        + 'hash. Apps use their public key (strp_…), shown on each app page.')),
    apiKeysPart(project, apiKeys),
    h('p', {}, 'Project ID: ', code(project.id), ' · created ', time(project.created_at)));
}

// Keys for RevenueCat's API v2 (/v2/projects/{id}/…), read-only or read-write, each shown once when made.
function apiKeysPart(project, initial) {
  const base = path`/v2/projects/${project.id}/api_keys`;
  const list = h('div', { id: 'api-keys' });
  const slot = h('div', { class: 'form-message', id: 'api-key-message' });
  const render = (keys) => fill(list, keys.length === 0 ? h('p', { class: 'empty' }, 'No API key yet.')
    : table(['Name', 'Permissions', 'Key', 'Created', 'Last used', ''], keys.map((key) => {
      const revoke = h('button', { type: 'button', class: 'danger revoke-api-key', 'data-key-id': key.id }, 'Revoke');
      revoke.addEventListener('click', () => {
        if (!confirm(`Revoke the API key ${key.name} (sk_…${key.key_hint})? Every call with it is refused from now on.`)) return;
        act(revoke, slot, async () => {
          await del(path`/v2/projects/${project.id}/api_keys/${key.id}`);
          render(await listAll(base));
          showResult(slot, 'ok', `Revoked ${key.name}.`);
        });
      });
      return h('tr', {},
        h('td', {}, key.name),
        h('td', {}, key.permissions === 'read_write' ? badge('Read and write', 'warn') : badge('Read only', 'ok')),
        h('td', {}, code(`sk_…${key.key_hint}`)),
        h('td', {}, time(key.created_at)),
        h('td', {}, time(key.last_used_at)),
        h('td', {}, revoke));
    }), { id: 'api-keys-table' }));
  render(initial);
  const name = h('input', { type: 'text', id: 'new-api-key-name', required: true, maxlength: 255 });
  const permissions = select({ id: 'new-api-key-permissions' },
    [['read_only', 'Read only (GET)'], ['read_write', 'Read and write']], 'read_only');
  const button = h('button', { type: 'submit', id: 'create-api-key' }, 'Create API key');
  const form = h('form', { class: 'inline-form', 'aria-label': 'New API key' },
    field('Key name', name), field('Permissions', permissions), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      const made = await post(base, { name: name.value.trim(), permissions: permissions.value });
      const shown = h('input', { type: 'text', id: 'new-api-key', readonly: true, class: 'mono', value: made.key });
      render(await listAll(base));
      name.value = '';
      slot.replaceChildren(notice('warn', h('div', { class: 'field' },
        h('label', { for: shown.id }, `API key ${made.name}: copy it now, it is not shown again`),
        h('div', { class: 'with-buttons' }, shown, copyButton(shown)),
        h('small', { class: 'hint' }, 'Send it as Authorization: Bearer <key> to this project\'s /v2 routes.'))));
    });
  });
  return h('div', { class: 'subform' },
    h('h3', {}, 'API keys for /v2'),
    h('p', { class: 'hint' }, 'RevenueCat API v2 secret keys for this project only. Read-only keys may only GET; '
      + 'read-write keys may also create, change, delete, and make or revoke keys. A revoked key stops at once.'),
    list, form);
}
