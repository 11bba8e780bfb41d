// /projects/{project_id} (also /apps): project settings and the project's apps ("Project Settings > Apps").
import { get, patch, post, listAll, path } from '../api.js';
import { h, field, select, table, time, act, showResult, code, copyButton, section, badge } from '../ui.js';
import { navigate } from '../nav.js';

export const TRANSFER_BEHAVIORS = [
  ['transfer', 'Transfer to the new App User ID (default)'],
  ['transfer_if_no_active_subs', 'Transfer only if the original owner has no active subscription'],
  ['keep_with_original', 'Keep with the original App User ID (restore fails with error 7102)'],
];

export async function projectPage(main, projectId) {
  const [project, apps] = await Promise.all([get(path`/v2/projects/${projectId}`),
    listAll(path`/v2/projects/${projectId}/apps`)]);
  document.title = `${project.name} · Substate`;
  main.append(h('h1', {}, 'Project settings: ', project.name));
  main.append(appsSection(project, apps), settingsForm(project), keysSection(project));
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

function keysSection(project) {
  const secret = h('input', { type: 'password', id: 'project-secret-key', readonly: true, value: project.secret_api_key });
  const reveal = h('button', { type: 'button', class: 'secondary', onclick: () => {
    secret.type = secret.type === 'password' ? 'text' : 'password';
    reveal.textContent = secret.type === 'password' ? 'Show' : 'Hide';
  } }, 'Show');
  return section('API keys',
    h('div', { class: 'field' }, h('label', { for: secret.id }, 'Secret API key (server side only)'),
      h('div', { class: 'with-buttons' }, secret, reveal, copyButton(secret)),
      h('small', { class: 'hint' }, 'For your server: /v1/receipts, attributes and deletes. Never ship it in an app. '
        + 'Apps use their public key (strp_…), shown on each app page.')),
    h('p', {}, 'Project ID: ', code(project.id), ' · created ', time(project.created_at)));
}
