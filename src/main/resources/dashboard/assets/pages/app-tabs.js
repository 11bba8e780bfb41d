// The heading and tabs shared by an app's pages.
import { path } from '../api.js';
import { h, code } from '../ui.js';

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
