// /projects/{project_id}/entitlements: entitlements, Stripe products, and which products unlock which entitlement.
import { listAll, post, del, path } from '../api.js';
import { h, field, select, table, act, code, section, showResult, time } from '../ui.js';
import { navigate } from '../nav.js';

export async function catalogPage(main, projectId) {
  document.title = 'Entitlements & products · Substate';
  const [entitlements, products, apps] = await Promise.all([
    listAll(path`/v2/projects/${projectId}/entitlements`),
    listAll(path`/v2/projects/${projectId}/products`),
    listAll(path`/v2/projects/${projectId}/apps`),
  ]);
  const reload = () => navigate(location.pathname);
  main.append(h('h1', {}, 'Entitlements & products'),
    h('p', {}, 'An entitlement is active while any attached product has an unexpired, unrefunded purchase.'),
    entitlementsSection(projectId, entitlements, products, reload),
    productsSection(projectId, products, apps, reload));
}

function entitlementsSection(projectId, entitlements, products, reload) {
  const rows = entitlements.map((e) => {
    const attached = e.products?.items ?? [];
    const attachedIds = new Set(attached.map((p) => p.id));
    const candidates = products.filter((p) => !attachedIds.has(p.id));
    const slot = h('div', { class: 'form-message' });
    const chooser = select({ id: `attach-${e.id}` }, candidates.map((p) => [p.id, label(p)]));
    const attach = h('button', { type: 'submit', class: 'secondary' }, 'Attach');
    const attachForm = h('form', { class: 'inline-form' }, h('label', { for: chooser.id }, 'Product to attach'), chooser,
      attach);
    attachForm.addEventListener('submit', (event) => {
      event.preventDefault();
      act(attach, slot, async () => {
        await post(path`/v2/projects/${projectId}/entitlements/${e.id}/actions/attach_products`,
          { product_ids: [chooser.value] });
        reload();
      });
    });
    const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
    remove.addEventListener('click', () => {
      if (!confirm(`Delete the entitlement ${e.lookup_key}?`)) return;
      act(remove, slot, async () => {
        await del(path`/v2/projects/${projectId}/entitlements/${e.id}`);
        reload();
      });
    });
    return h('tr', {},
      h('td', {}, code(e.lookup_key), h('br'), h('small', { class: 'hint' }, e.display_name ?? '')),
      h('td', {}, attached.length ? h('ul', { class: 'plain' }, attached.map((p) => {
        const detach = h('button', { type: 'button', class: 'link' }, 'Detach');
        detach.addEventListener('click', () => act(detach, slot, async () => {
          await post(path`/v2/projects/${projectId}/entitlements/${e.id}/actions/detach_products`,
            { product_ids: [p.id] });
          reload();
        }));
        return h('li', {}, label(p), ' ', detach);
      })) : h('span', { class: 'hint' }, 'No product attached')),
      h('td', {}, candidates.length ? attachForm : null, slot),
      h('td', {}, remove));
  });
  const key = h('input', { type: 'text', id: 'new-entitlement-lookup-key', required: true, placeholder: 'premium' });
  const name = h('input', { type: 'text', id: 'new-entitlement-display-name', placeholder: 'Premium' });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-entitlement' }, 'Create entitlement');
  const form = h('form', { class: 'inline-form', 'aria-label': 'New entitlement' },
    field('Lookup key', key), field('Display name', name), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      await post(path`/v2/projects/${projectId}/entitlements`,
        { lookup_key: key.value.trim(), display_name: name.value.trim() || key.value.trim() });
      reload();
    });
  });
  return section('Entitlements', entitlements.length
    ? table(['Entitlement', 'Products', 'Attach', ''], rows, { id: 'entitlements' })
    : h('p', { class: 'empty' }, 'No entitlement yet.'), form);
}

function productsSection(projectId, products, apps, reload) {
  const appName = Object.fromEntries(apps.map((a) => [a.id, a.name]));
  const rows = products.map((p) => {
    const slot = h('div', { class: 'form-message' });
    const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
    remove.addEventListener('click', () => {
      if (!confirm(`Delete the product ${p.store_identifier}?`)) return;
      act(remove, slot, async () => {
        await del(path`/v2/projects/${projectId}/products/${p.id}`);
        reload();
      });
    });
    return h('tr', {}, h('td', {}, code(p.store_identifier)), h('td', {}, p.display_name ?? ''),
      h('td', {}, p.type), h('td', {}, appName[p.app_id] ?? p.app_id), h('td', {}, time(p.created_at)),
      h('td', {}, remove, slot));
  });
  const identifier = h('input', { type: 'text', id: 'new-product-identifier', required: true, placeholder: 'prod_…' });
  const display = h('input', { type: 'text', id: 'new-product-display-name' });
  const app = select({ id: 'new-product-app' }, apps.map((a) => [a.id, a.name]));
  const type = select({ id: 'new-product-type' }, [['subscription', 'Subscription'], ['one_time', 'One-time purchase']]);
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-product' }, 'Create product');
  const form = h('form', { class: 'inline-form', 'aria-label': 'New product' },
    field('Stripe product ID', identifier), field('Display name', display), field('App', app),
    field('Type', type), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!apps.length) {
      showResult(slot, 'error', 'Create a Stripe app first: products belong to an app.');
      return;
    }
    const body = { store_identifier: identifier.value.trim(), app_id: app.value, type: type.value };
    if (display.value.trim()) body.display_name = display.value.trim();
    act(button, slot, async () => {
      await post(path`/v2/projects/${projectId}/products`, body);
      reload();
    });
  });
  return section('Products', h('p', {}, 'Products are Stripe product IDs (prod_…) of an app.'),
    products.length ? table(['Stripe product', 'Name', 'Type', 'App', 'Created', ''], rows, { id: 'products' })
      : h('p', { class: 'empty' }, 'No product yet.'), form);
}

function label(p) {
  return p.display_name ? `${p.display_name} (${p.store_identifier})` : p.store_identifier;
}
