// The heading and tabs shared by an app's pages.
import { path } from '../api.js';
import { h, code, notice, time } from '../ui.js';
import { signatureFailureHelp } from '../stripe-help.js';

export function appHeader(app, current) {
  const base = path`/projects/${app.project_id}/apps/${app.id}`;
  const tab = (href, label, key) => h('a', { href, class: 'tab', 'aria-current': current === key ? 'page' : undefined },
    label);
  return [
    h('p', { class: 'breadcrumbs' }, h('a', { href: path`/projects/${app.project_id}` }, 'Project settings'), ' › Apps › ',
      app.name),
    h('h1', {}, app.name, ' ', h('small', {}, code(app.id))),
    h('nav', { class: 'tabs', 'aria-label': 'App' },
      tab(base, 'App settings', 'settings'), tab(`${base}/events`, 'Stripe events', 'events')),
  ];
}

/** Refused deliveries (bad or missing signature): not logged as events, counted on the app with the last reason. */
export function signatureFailures(app) {
  const failures = app.stripe.signature_failures ?? { count: 0 };
  if (!failures.count) {
    return h('p', { class: 'hint', id: 'signature-failures' }, 'Signature failures: none recorded.');
  }
  const help = signatureFailureHelp(failures.last_reason);
  return h('div', { id: 'signature-failures' }, notice('error',
    h('strong', {}, `Signature failures: ${failures.count}. ${help.title}.`), ' ', help.fix,
    h('div', { class: 'hint' }, `Last refused ${time(failures.last_at)}: ${failures.last_reason ?? 'no reason kept'}`)));
}
