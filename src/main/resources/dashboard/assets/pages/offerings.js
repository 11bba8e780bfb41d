// /projects/{project_id}/offerings: offerings, their packages and products with the prices the SDK is shown (or why a
// product is left out), and the project's placements.
import { get, post, del, listAll, path } from '../api.js';
import { h, field, select, table, act, code, section, showResult, badge, notice, time } from '../ui.js';
import { navigate } from '../nav.js';

const PACKAGE_KEYS = ['$rc_monthly', '$rc_annual', '$rc_weekly', '$rc_two_month', '$rc_three_month', '$rc_six_month',
  '$rc_lifetime', '$rc_custom_'];

export async function offeringsPage(main, projectId) {
  document.title = 'Offerings · Substate';
  // ?refresh=true re-reads every price from Stripe now, instead of serving what Substate keeps for an hour.
  const refresh = new URLSearchParams(location.search).get('refresh') === 'true';
  const [offerings, products, apps, placements] = await Promise.all([
    listAll(path`/v2/projects/${projectId}/offerings` + '?expand=items.package.product'),
    listAll(path`/v2/projects/${projectId}/products`),
    listAll(path`/v2/projects/${projectId}/apps`),
    get(path`/v2/projects/${projectId}/placements`),
  ]);
  const query = refresh ? '?refresh=true' : '';
  const prices = await Promise.all(offerings.map((o) =>
    get(path`/v2/projects/${projectId}/offerings/${o.id}/prices` + query)));
  const priceOf = new Map();
  prices.forEach((p) => p.packages.forEach((pkg) => pkg.products.forEach((item) =>
    priceOf.set(`${pkg.package_id}/${item.product_id}`, item))));
  const reload = () => navigate(location.pathname);
  const context = { projectId, products, appName: Object.fromEntries(apps.map((a) => [a.id, a.name])), priceOf, reload };

  const reread = h('button', { type: 'button', class: 'secondary', id: 'reread-prices' }, 'Re-read prices from Stripe');
  reread.addEventListener('click', () => navigate(`${location.pathname}?refresh=true`));
  main.append(h('h1', {}, 'Offerings'),
    h('p', {}, 'The SDK shows the current offering, unless a customer was given another one or a placement names '
      + 'another. Each package shows one product per app, at its Stripe default price; a product without a price the '
      + 'SDK can show is left out of its package, and the reason is shown here. Prices are read from Stripe at most '
      + 'once an hour.'),
    h('div', { class: 'toolbar' }, reread, refresh ? h('span', { class: 'hint', id: 'prices-reread' },
      'Prices were just read from Stripe.') : null),
    ...(offerings.length ? offerings.map((o) => offeringCard(o, context))
      : [h('p', { class: 'empty' }, 'No offering yet.')]),
    newOfferingForm(projectId, reload),
    placementsSection(projectId, offerings, placements, reload));
}

function offeringCard(offering, context) {
  const { projectId, reload } = context;
  const slot = h('div', { class: 'form-message' });
  const name = h('input', { type: 'text', id: `offering-name-${offering.id}`, required: true, maxlength: 1500,
    value: offering.display_name });
  const metadata = h('textarea', { id: `offering-metadata-${offering.id}`, rows: 3, cols: 60, spellcheck: 'false' });
  metadata.value = offering.metadata ? JSON.stringify(offering.metadata, null, 2) : '';
  const save = h('button', { type: 'submit', class: 'secondary' }, 'Save offering');
  const form = h('form', { class: 'inline-form', 'aria-label': `Offering ${offering.lookup_key}` },
    field('Display name', name),
    field('Metadata (JSON object, optional)', metadata), save);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let parsed = null;
    if (metadata.value.trim()) {
      try {
        parsed = JSON.parse(metadata.value);
      } catch (e) {
        showResult(slot, 'error', 'Metadata is not valid JSON: ', e.message);
        return;
      }
    }
    act(save, slot, async () => {
      await post(path`/v2/projects/${projectId}/offerings/${offering.id}`,
        { display_name: name.value.trim(), metadata: parsed });
      reload();
    });
  });
  const actions = [];
  if (!offering.is_current) {
    const makeCurrent = h('button', { type: 'button', class: 'secondary', 'data-action': 'make-current' },
      'Make current');
    makeCurrent.addEventListener('click', () => act(makeCurrent, slot, async () => {
      await post(path`/v2/projects/${projectId}/offerings/${offering.id}`, { is_current: true });
      reload();
    }));
    actions.push(makeCurrent);
  }
  const remove = h('button', { type: 'button', class: 'danger', 'data-action': 'delete-offering' }, 'Delete offering');
  remove.addEventListener('click', () => {
    if (!confirm(`Delete the offering ${offering.lookup_key} and its packages?`)) return;
    act(remove, slot, async () => {
      await del(path`/v2/projects/${projectId}/offerings/${offering.id}`);
      reload();
    });
  });
  actions.push(remove);
  const packages = offering.packages?.items ?? [];
  return h('section', { class: 'card offering', id: `offering-${offering.id}`, 'data-lookup-key': offering.lookup_key },
    h('h2', {}, code(offering.lookup_key), ' ', offering.is_current ? badge('Current', 'ok') : null),
    h('p', { class: 'hint' }, 'Offering ID ', code(offering.id), ' · created ', time(offering.created_at)),
    form, h('div', { class: 'toolbar' }, actions), slot,
    h('h3', {}, 'Packages'),
    packages.length ? packagesTable(offering, packages, context)
      : h('p', { class: 'empty' }, 'No package yet.'),
    newPackageForm(offering, context));
}

function packagesTable(offering, packages, context) {
  const { projectId, reload } = context;
  const move = async (index, by) => {
    const order = packages.slice();
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved);
    for (let i = 0; i < order.length; i++) {
      if (order[i].position !== i + 1) {
        await post(path`/v2/projects/${projectId}/packages/${order[i].id}`, { position: i + 1 });
      }
    }
    reload();
  };
  const rows = packages.map((pkg, index) => {
    const slot = h('div', { class: 'form-message' });
    const attached = pkg.products?.items ?? [];
    const attachedApps = new Set(attached.map((item) => item.product.app_id));
    const candidates = context.products.filter((p) => !attachedApps.has(p.app_id));
    const chooser = select({ id: `attach-${pkg.id}` }, candidates.map((p) => [p.id, productLabel(p, context)]));
    const attach = h('button', { type: 'submit', class: 'secondary' }, 'Attach');
    const attachForm = h('form', { class: 'inline-form' }, field('Product to attach', chooser), attach);
    attachForm.addEventListener('submit', (event) => {
      event.preventDefault();
      act(attach, slot, async () => {
        await post(path`/v2/projects/${projectId}/packages/${pkg.id}/actions/attach_products`,
          { products: [{ product_id: chooser.value, eligibility_criteria: 'all' }] });
        reload();
      });
    });
    const up = h('button', { type: 'button', class: 'link', 'aria-label': `Move ${pkg.lookup_key} up`,
      disabled: index === 0 }, 'Up');
    up.addEventListener('click', () => act(up, slot, () => move(index, -1)));
    const down = h('button', { type: 'button', class: 'link', 'aria-label': `Move ${pkg.lookup_key} down`,
      disabled: index === packages.length - 1 }, 'Down');
    down.addEventListener('click', () => act(down, slot, () => move(index, 1)));
    const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
    remove.addEventListener('click', () => {
      if (!confirm(`Delete the package ${pkg.lookup_key}?`)) return;
      act(remove, slot, async () => {
        await del(path`/v2/projects/${projectId}/packages/${pkg.id}`);
        reload();
      });
    });
    return h('tr', { 'data-package': pkg.lookup_key },
      h('td', {}, String(pkg.position ?? '')),
      h('td', {}, code(pkg.lookup_key), h('br'), h('small', { class: 'hint' }, pkg.display_name ?? '')),
      h('td', { class: 'package-products' }, attached.length
        ? h('ul', { class: 'plain' }, attached.map((item) => productLine(pkg, item.product, context, slot)))
        : h('span', { class: 'hint' }, 'No product attached: the SDK shows this package to no app.'),
      candidates.length ? attachForm : null),
      h('td', { class: 'actions' }, up, down),
      h('td', {}, remove, slot));
  });
  return table(['Position', 'Package', 'Products and the price the SDK shows', 'Order', ''], rows,
    { class: 'packages' });
}

function productLine(pkg, product, context, slot) {
  const { projectId, reload } = context;
  const detach = h('button', { type: 'button', class: 'link' }, 'Detach');
  detach.addEventListener('click', () => act(detach, slot, async () => {
    await post(path`/v2/projects/${projectId}/packages/${pkg.id}/actions/detach_products`,
      { product_ids: [product.id] });
    reload();
  }));
  const price = context.priceOf.get(`${pkg.id}/${product.id}`);
  return h('li', { class: 'package-product', 'data-store-identifier': product.store_identifier },
    productLabel(product, context), ' ', detach, priceLine(price));
}

function priceLine(price) {
  if (!price) return h('div', { class: 'hint' }, 'Price not read yet.');
  if (!price.shown) {
    return notice('warn', h('strong', {}, 'Left out of this package: '), price.left_out_reason ?? '');
  }
  const p = price.price;
  const parts = [money(p.amount_micros, p.currency)];
  if (p.period_duration) parts.push(` every ${period(p.period_duration)}`);
  else parts.push(' once');
  if (p.trial_duration) parts.push(`, ${period(p.trial_duration)} free trial`);
  return h('div', { class: 'price' },
    h('span', { class: 'price-shown' }, parts.join('')), ' ',
    h('small', { class: 'hint' }, `${p.price_id} · "${p.title}" · read ${time(price.read_at)}`),
    price.failure ? notice('warn', `Stripe failed at ${time(price.failed_at)} (${price.failure}); the SDK is shown `
      + 'the last price Stripe answered.') : null);
}

function money(micros, currency) {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(micros / 1e6);
  } catch (e) {
    return `${micros / 1e6} ${currency}`;
  }
}

/** P1M → "month", P3M → "3 months", P7D → "7 days". */
function period(duration) {
  const match = /^P(\d+)([DWMY])$/.exec(duration ?? '');
  if (!match) return duration ?? '';
  const unit = { D: 'day', W: 'week', M: 'month', Y: 'year' }[match[2]];
  return match[1] === '1' ? unit : `${match[1]} ${unit}s`;
}

function productLabel(p, context) {
  const app = context.appName[p.app_id] ?? p.app_id;
  return `${p.display_name ? `${p.display_name} (${p.store_identifier})` : p.store_identifier} · ${app}`;
}

function newPackageForm(offering, context) {
  const { projectId, reload } = context;
  const listId = `package-keys-${offering.id}`;
  const key = h('input', { type: 'text', id: `new-package-key-${offering.id}`, required: true, list: listId,
    placeholder: '$rc_monthly' });
  const name = h('input', { type: 'text', id: `new-package-name-${offering.id}`, placeholder: 'Monthly' });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Create package');
  const form = h('form', { class: 'inline-form', 'aria-label': `New package in ${offering.lookup_key}` },
    field('Package lookup key', key), h('datalist', { id: listId }, PACKAGE_KEYS.map((k) => h('option', { value: k }))),
    field('Package display name', name), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      await post(path`/v2/projects/${projectId}/offerings/${offering.id}/packages`,
        { lookup_key: key.value.trim(), display_name: name.value.trim() || key.value.trim() });
      reload();
    });
  });
  return form;
}

function newOfferingForm(projectId, reload) {
  const key = h('input', { type: 'text', id: 'new-offering-lookup-key', required: true, placeholder: 'default' });
  const name = h('input', { type: 'text', id: 'new-offering-display-name', placeholder: 'Default offering' });
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-offering' }, 'Create offering');
  const form = h('form', { class: 'inline-form', 'aria-label': 'New offering' },
    field('Lookup key', key, 'The identifier apps see; it cannot be changed later.'),
    field('Display name', name), button, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      await post(path`/v2/projects/${projectId}/offerings`,
        { lookup_key: key.value.trim(), display_name: name.value.trim() || key.value.trim() });
      reload();
    });
  });
  return section('New offering', h('p', {}, 'The first offering of a project becomes its current offering.'), form);
}

function placementsSection(projectId, offerings, placements, reload) {
  const choices = [['', 'No offering'], ...offerings.map((o) => [o.id, o.lookup_key])];
  const fallback = select({ id: 'placement-fallback' },
    [['', "The customer's current offering"], ...offerings.map((o) => [o.id, o.lookup_key])],
    placements.fallback_offering_id ?? '');
  const rows = Object.entries(placements.offering_ids_by_placement).map(([placement, offeringId], index) => {
    const chooser = select({ id: `placement-offering-${index}`, 'data-placement': placement }, choices,
      offeringId ?? '');
    const remove = h('button', { type: 'button', class: 'link' }, 'Remove');
    const row = h('tr', { 'data-placement': placement }, h('td', {}, code(placement)),
      h('td', {}, field(`Offering for ${placement}`, chooser)), h('td', {}, remove));
    remove.addEventListener('click', () => row.remove());
    return row;
  });
  const body = table(['Placement', 'Offering', ''], rows, { id: 'placements' });
  const newPlacement = h('input', { type: 'text', id: 'new-placement-id', placeholder: 'onboarding' });
  const newOffering = select({ id: 'new-placement-offering' }, choices, offerings[0]?.id ?? '');
  const slot = h('div', { class: 'form-message' });
  const save = h('button', { type: 'submit', id: 'save-placements' }, 'Save placements');
  const form = h('form', { 'aria-label': 'Placements' },
    field('Fallback offering', fallback, 'Shown for placements not listed below.'),
    body,
    h('div', { class: 'inline-form' }, field('New placement identifier', newPlacement),
      field('Offering for the new placement', newOffering)),
    save, slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const map = {};
    form.querySelectorAll('select[data-placement]').forEach((s) => { map[s.dataset.placement] = s.value || null; });
    if (newPlacement.value.trim()) map[newPlacement.value.trim()] = newOffering.value || null;
    act(save, slot, async () => {
      await post(path`/v2/projects/${projectId}/placements`,
        { fallback_offering_id: fallback.value || null, offering_ids_by_placement: map });
      reload();
    });
  });
  return section('Placements', h('p', {}, 'A placement is a place in your app that shows a paywall: the SDK\'s '
    + 'getCurrentOfferingForPlacement(id) shows the offering named here ("No offering" shows none), and the fallback '
    + 'for placements not listed.'), form);
}
