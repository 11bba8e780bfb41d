// The service integrations on the integrations page: Slack, PostHog, Segment, Amplitude, Mixpanel. Each kind is
// listed with its settings (secrets only as "set"), can be added, edited, deleted, sent a test event, and shows its
// delivery log; the routes are the webhooks' under /integrations/{kind}.
import { listAll, post, patch, path } from '../api.js';
import { h, field, select, act, code, showResult, errorText } from '../ui.js';
import { navigate } from '../nav.js';

const REGIONS = { amplitude: ['us', 'eu'], mixpanel: ['us', 'eu', 'in'] };

// Each kind's own settings, as the API names them; secret ones are write-only.
export const SERVICES = [
  { kind: 'slack', title: 'Slack', help: 'A readable message per event, posted to a Slack incoming webhook.',
    settings: [{ name: 'webhook_url', label: 'Incoming webhook URL', secret: true, required: true }] },
  { kind: 'posthog', title: 'PostHog', help: 'Events through PostHog\'s capture API, cloud or self-hosted.',
    settings: [{ name: 'api_key', label: 'Project API key', secret: true, required: true },
      { name: 'host', label: 'Host', placeholder: 'https://us.i.posthog.com' }] },
  { kind: 'segment', title: 'Segment', help: 'Track calls through Segment\'s HTTP Tracking API.',
    settings: [{ name: 'write_key', label: 'Write key', secret: true, required: true },
      { name: 'base_url', label: 'Base URL', placeholder: 'https://api.segment.io' }] },
  { kind: 'amplitude', title: 'Amplitude', help: 'Events through Amplitude\'s HTTP V2 API, US or EU.',
    settings: [{ name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'region', label: 'Region', choices: REGIONS.amplitude },
      { name: 'base_url', label: 'Base URL', placeholder: 'Default for the region' }] },
  { kind: 'mixpanel', title: 'Mixpanel', help: 'The import API with an API secret or a service account, else the '
    + 'track API with the project token.',
    settings: [{ name: 'project_token', label: 'Project token', secret: true },
      { name: 'api_secret', label: 'API secret', secret: true },
      { name: 'service_account_username', label: 'Service account username' },
      { name: 'service_account_secret', label: 'Service account secret', secret: true },
      { name: 'project_id', label: 'Project id (with a service account)' },
      { name: 'region', label: 'Region', choices: REGIONS.mixpanel },
      { name: 'base_url', label: 'Base URL', placeholder: 'Default for the region' }] },
];

// The events an analytics service's integration may rename (event_names); the default name is rc_<key>_event.
const EVENT_KEYS = ['initial_purchase', 'trial_started', 'trial_converted', 'trial_cancelled', 'renewal',
  'cancellation', 'refund', 'uncancellation', 'non_renewing_purchase', 'billing_issue', 'product_change', 'expiration',
  'subscription_paused', 'subscription_extended', 'transfer', 'test'];
const namesEvents = (service) => service.kind !== 'slack';

/** One section per kind; {@code card} renders an integration's card with the page's own buttons (log, test). */
export async function serviceSections(projectId, apps, eventTypes, card) {
  const sections = [];
  for (const service of SERVICES) {
    const base = path`/v2/projects/${projectId}/integrations/${service.kind}`;
    const integrations = await listAll(base);
    sections.push(h('section', { class: 'service', id: `service-${service.kind}` },
      h('h2', {}, service.title), h('p', { class: 'hint' }, service.help),
      integrations.map((i) => card(base, i, facts(service, i), () => form(service, base, apps, eventTypes, i))),
      h('details', {}, h('summary', {}, `Add ${service.title}`), form(service, base, apps, eventTypes))));
  }
  return sections;
}

function facts(service, integration) {
  const settings = service.settings.flatMap((s) => [h('dt', {}, s.label), h('dd', {}, s.secret
    ? (integration[`${s.name}_set`] ? 'Set (write-only)' : 'Not set') : code(integration[s.name] ?? '—'))]);
  if (!namesEvents(service)) return settings;
  const renamed = Object.entries(integration.event_names ?? {});
  return [...settings, h('dt', {}, 'Event names'), h('dd', { class: 'event-names' }, renamed.length
    ? renamed.map(([key, name], n) => [n ? ', ' : '', code(`rc_${key}_event`), ' → ', code(name)])
    : 'RevenueCat\'s defaults')];
}

// The create form, or with {@code current} the edit form: only what changed is sent; an empty secret keeps its value.
function form(service, base, apps, eventTypes, current) {
  const id = (name) => `${service.kind}-${current ? current.id : 'new'}-${name}`;
  const name = h('input', { type: 'text', id: id('name'), required: true, value: current?.name ?? '' });
  const environment = select({ id: id('environment') },
    [['', 'Production and sandbox'], ['production', 'Production only'], ['sandbox', 'Sandbox only']],
    current?.environment ?? '');
  const app = select({ id: id('app') }, [['', 'All apps'], ...apps.map((a) => [a.id, a.name])], current?.app_id ?? '');
  const types = h('fieldset', {}, h('legend', {}, 'Event types (none checked = all)'),
    eventTypes.map((type) => {
      const box = h('input', { type: 'checkbox', id: id(`type-${type}`), value: type,
        checked: current?.event_types?.includes(type) ?? false });
      return h('span', { class: 'checkbox' }, box, h('label', { for: box.id }, type.toUpperCase()));
    }));
  const controls = service.settings.map((s) => {
    const control = s.choices
      ? select({ id: id(s.name) }, s.choices.map((c) => [c, c.toUpperCase()]), current?.[s.name] ?? s.choices[0])
      : h('input', { type: s.secret ? 'password' : 'text', id: id(s.name), autocomplete: 'off',
        placeholder: s.secret && current?.[`${s.name}_set`] ? 'Set; leave empty to keep' : (s.placeholder ?? ''),
        value: s.secret ? '' : (current?.[s.name] ?? '') });
    return [s, control];
  });
  const names = namesEvents(service) ? EVENT_KEYS.map((key) => [key, h('input', { type: 'text',
    id: id(`event-name-${key}`), autocomplete: 'off', placeholder: `rc_${key}_event`,
    value: current?.event_names?.[key] ?? '' })]) : [];
  const namesBox = names.length ? h('details', { class: 'event-names' },
    h('summary', {}, 'Event names (empty = RevenueCat\'s default)'),
    names.map(([key, input]) => field(key, input))) : [];
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: id('save') }, current ? 'Save' : `Add ${service.title}`);
  const element = h('form', { class: 'card' }, h('h3', {}, current ? `Edit ${current.name}` : `New ${service.title}`),
    field('Name', name), controls.map(([s, control]) => field(s.label, control)),
    field('Environment', environment), field('App', app), types, namesBox, slot, button);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), environment: environment.value || null, app_id: app.value || null };
    const checked = [...types.querySelectorAll('input:checked')].map((box) => box.value);
    body.event_types = checked.length ? checked : null;
    for (const [s, control] of controls) {
      const value = control.value.trim();
      if (current) {
        if (s.secret ? !value : value === (current[s.name] ?? '')) continue;
        body[s.name] = value || null;
      } else if (value) {
        body[s.name] = value;
      }
    }
    if (names.length) {
      body.event_names = Object.fromEntries(names.map(([key, input]) => [key, input.value.trim()])
        .filter(([, value]) => value));
    }
    act(button, slot, async () => {
      if (current) await patch(`${base}/${encodeURIComponent(current.id)}`, body);
      else await post(base, body);
      navigate(location.pathname);
    }).catch((error) => showResult(slot, 'error', errorText(error)));
  });
  return element;
}
