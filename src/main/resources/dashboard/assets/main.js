// Entry point: asks for the admin token, then renders the page of the current URL.
import { adminToken, request, get, ApiError, path } from './api.js';
import { h, field, notice, errorText } from './ui.js';
import { navigate, onNavigate } from './nav.js';
import { projectsPage } from './pages/projects.js';
import { projectPage } from './pages/project.js';
import { appSettingsPage } from './pages/app-settings.js';
import { stripeEventsPage } from './pages/stripe-events.js';
import { customerLookupPage, customerPage } from './pages/customers.js';
import { catalogPage } from './pages/catalog.js';
import { integrationsPage } from './pages/integrations.js';
import { chartsPage } from './pages/charts.js';
import { offeringsPage } from './pages/offerings.js';
import { apiReferencePage } from './pages/api-reference.js';

const ROUTES = [
  [/^\/projects$/, projectsPage],
  [/^\/api-reference$/, apiReferencePage],
  [/^\/projects\/([^/]+)(?:\/apps)?$/, projectPage],
  [/^\/projects\/([^/]+)\/apps\/([^/]+)$/, appSettingsPage],
  [/^\/projects\/([^/]+)\/apps\/([^/]+)\/events$/, stripeEventsPage],
  [/^\/projects\/([^/]+)\/customers$/, customerLookupPage],
  [/^\/projects\/([^/]+)\/customers\/([^/]+)$/, customerPage],
  [/^\/projects\/([^/]+)\/entitlements$/, catalogPage],
  [/^\/projects\/([^/]+)\/offerings$/, offeringsPage],
  [/^\/projects\/([^/]+)\/integrations$/, integrationsPage],
  [/^\/projects\/([^/]+)\/charts$/, chartsPage],
];

const root = document.getElementById('app');


function currentPath() {
  const p = location.pathname.replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

function render() {
  if (!adminToken.get()) {
    renderLogin();
    return;
  }
  const current = currentPath();
  if (current === '/') {
    history.replaceState({}, '', '/projects');
    render();
    return;
  }
  for (const [pattern, page] of ROUTES) {
    const match = pattern.exec(current);
    if (match) {
      const params = match.slice(1).map(decodeURIComponent);
      renderPage(page, params);
      return;
    }
  }
  renderPage(notFoundPage, []);
}

function renderPage(page, params) {
  const main = h('main', { id: 'main', tabindex: '-1' });
  root.replaceChildren(header(params[0]), h('div', { class: 'layout' }, sidebar(params[0]), main));
  Promise.resolve(page(main, ...params)).catch((error) => {
    main.replaceChildren(h('h1', {}, 'Something went wrong'), notice('error', errorText(error)));
  });
}

function header(projectId) {
  return h('header', { class: 'topbar' },
    h('a', { href: '/projects', class: 'brand' }, 'Substate'),
    projectId ? projectCrumb(projectId) : null,
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: logout }, 'Log out'));
}

/** The project's name once loaded (its id until then, or if it cannot be read). */
function projectCrumb(projectId) {
  const crumb = h('span', { class: 'crumb', id: 'project-crumb', title: projectId }, projectId);
  get(path`/v2/projects/${projectId}`).then((project) => { crumb.textContent = project.name; }).catch(() => {});
  return crumb;
}

function sidebar(projectId) {
  const here = currentPath();
  const link = (href, label) => h('li', {}, h('a', { href, 'aria-current': here === href ? 'page' : undefined }, label));
  if (!projectId) {
    return h('nav', { class: 'sidebar', 'aria-label': 'Main' }, h('ul', {}, link('/projects', 'Projects'),
      link('/api-reference', 'API reference')));
  }
  const base = path`/projects/${projectId}`;
  return h('nav', { class: 'sidebar', 'aria-label': 'Project' }, h('ul', {},
    link('/projects', 'All projects'),
    link(base, 'Project settings & apps'),
    link(`${base}/customers`, 'Customers'),
    link(`${base}/entitlements`, 'Entitlements & products'),
    link(`${base}/offerings`, 'Offerings'),
    link(`${base}/integrations`, 'Integrations'),
    link(`${base}/charts`, 'Charts'),
    link('/api-reference', 'API reference')));
}

function notFoundPage(main) {
  document.title = 'Not found · Substate';
  main.append(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/projects' }, 'Go to the projects')));
}

function logout() {
  adminToken.clear();
  render();
}

function renderLogin(message) {
  document.title = 'Log in · Substate';
  const input = h('input', { type: 'password', id: 'admin-token', name: 'admin_token', required: true,
    autocomplete: 'current-password', spellcheck: 'false' });
  const slot = h('div', { class: 'form-message' }, message ? notice('error', message) : null);
  const button = h('button', { type: 'submit', id: 'login' }, 'Log in');
  const form = h('form', { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Substate'),
    h('p', {}, 'Enter the admin token to open the dashboard.'),
    field('Admin token', input, 'SUBSTATE_ADMIN_TOKEN, or the token printed in the server log on first start '
      + '(make a new one with "substate admin-token reset").'),
    slot, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    button.disabled = true;
    try {
      await request('GET', '/v2/projects?limit=1', undefined, token);
      adminToken.set(token);
      render();
    } catch (error) {
      const text = error instanceof ApiError && error.status === 401
        ? 'This admin token is not valid for this server.' : errorText(error);
      slot.replaceChildren(notice('error', text));
      button.disabled = false;
    }
  });
  root.replaceChildren(h('main', { class: 'login-page' }, form));
  input.focus();
}

// Same-origin links to dashboard pages switch page without a reload; everything else behaves normally.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !(url.pathname === '/' || url.pathname.startsWith('/projects')
    || url.pathname === '/api-reference')) return;
  // A link within the page (the API reference's schema links) scrolls as browsers do.
  if (url.hash && url.pathname === location.pathname) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
onNavigate(render);
window.addEventListener('popstate', render);
window.addEventListener('substate:unauthorized', () => {
  adminToken.clear();
  renderLogin('The admin token is no longer accepted; log in again.');
});

render();
