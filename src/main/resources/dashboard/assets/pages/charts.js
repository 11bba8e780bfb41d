// /projects/{project_id}/charts: the overview numbers and a plot of every chart (uPlot, served by this server).
import { get, path, isUnavailable } from '../api.js';
import { h, field, select, notice, section, errorText } from '../ui.js';

// Every chart the server gives, grouped as RevenueCat's dashboard groups them.
export const CHARTS = ['mrr', 'arr', 'mrr_movement', 'revenue', 'refund_rate', 'actives', 'actives_movement',
  'actives_new', 'subscription_status', 'subscription_retention', 'churn', 'trials', 'trials_movement', 'trials_new', 'trial_conversion_rate',
  'customers_new', 'conversion_to_paying', 'ltv_per_customer', 'ltv_per_paying_customer', 'cohort_explorer'];
// Charts whose measures are parts of one whole (a movement's components, a status breakdown): all are plotted.
const ALL_MEASURES = new Set(['mrr_movement', 'actives_movement', 'actives_new', 'subscription_status',
  'trials_movement']);
// Cohort charts also shown as a table: a row per cohort, a column per period k after it (measures `<family>_<k>`), for
// the family picked.
const COHORT_TABLES = { cohort_explorer: [['ltv', 'Realized LTV per Customer'],
  ['ltv_per_paying_customer', 'Realized LTV per Paying Customer'], ['revenue', 'Revenue'],
  ['paying_customers', 'Paying Customers']] };
const COLORS = ['#2f6fde', '#2e9e5b', '#8e59c9', '#e39b20', '#d9534f', '#6c757d'];
const RESOLUTIONS = [['day', 'Day'], ['week', 'Week (ISO, Monday to Sunday)'], ['month', 'Month']];

const isoDate = (date) => date.toISOString().slice(0, 10);

export async function chartsPage(main, projectId) {
  document.title = 'Charts · Substate';
  const query = new URLSearchParams(location.search);
  const today = new Date();
  const resolution = select({ id: 'chart-resolution' }, RESOLUTIONS, query.get('resolution') ?? 'day');
  const start = h('input', { type: 'date', id: 'chart-start-date', required: true,
    value: query.get('start_date') ?? isoDate(new Date(today.getTime() - 29 * 86400000)) });
  const end = h('input', { type: 'date', id: 'chart-end-date', required: true, value: query.get('end_date') ?? isoDate(today) });
  const button = h('button', { type: 'submit', id: 'chart-apply' }, 'Show');
  const slot = h('div', { class: 'form-message' });
  const controls = h('form', { class: 'inline-form', id: 'chart-controls', 'aria-label': 'Chart range' },
    field('Resolution', resolution), field('Start date', start), field('End date', end), button, slot);
  const overview = h('div', { id: 'overview' });
  const plots = h('div', { class: 'chart-grid', id: 'charts' });
  main.append(h('h1', {}, 'Charts'),
    h('p', { class: 'hint' }, 'Production purchases only (sandbox is excluded). The last point is the current, '
      + 'incomplete period. Money is in the currency\'s major unit.'),
    section('Overview', overview), controls, plots);

  const draw = async () => {
    if (start.value > end.value) {
      slot.replaceChildren(notice('error', 'The start date must be on or before the end date.'));
      return;
    }
    slot.replaceChildren();
    const params = new URLSearchParams({ start_date: start.value, end_date: end.value, resolution: resolution.value });
    history.replaceState({}, '', `${location.pathname}?${params}`);
    button.disabled = true;
    try {
      await drawCharts(projectId, params, plots);
    } finally {
      button.disabled = false;
    }
  };
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    draw().catch((error) => slot.replaceChildren(notice('error', errorText(error))));
  });
  await Promise.all([loadOverview(projectId, overview), draw()]);
}

async function loadOverview(projectId, target) {
  try {
    const data = await get(path`/v2/projects/${projectId}/metrics/overview`);
    target.replaceChildren(h('ul', { class: 'metrics' }, (data.metrics ?? []).map((m) => h('li', { class: 'metric',
      'data-metric': m.id, title: m.description ?? '' },
    h('span', { class: 'metric-name' }, m.name ?? m.id),
    h('span', { class: 'metric-value' }, formatMetric(m)),
    m.period && m.period !== 'P0D' ? h('span', { class: 'hint' }, periodText(m.period)) : null))));
  } catch (error) {
    target.replaceChildren(notice(isUnavailable(error) ? 'warn' : 'error', isUnavailable(error)
      ? 'The overview numbers are not available on this server version.' : errorText(error)));
  }
}

function formatMetric(m) {
  if (m.value === null || m.value === undefined) return '—';
  if (m.unit === '$') return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(m.value);
  if (m.unit === '%') return `${Number(m.value).toFixed(1)} %`;
  return new Intl.NumberFormat('en-US').format(m.value);
}

function periodText(period) {
  const days = /^P(\d+)D$/.exec(period);
  return days ? ` last ${days[1]} days` : ` ${period}`;
}

async function drawCharts(projectId, params, target) {
  const { default: uPlot } = await import('../vendor/uplot/uPlot.esm.js');
  const results = await Promise.all(CHARTS.map((name) =>
    get(`${path`/v2/projects/${projectId}/charts/${name}`}?${params}`).then((data) => ({ name, data }),
      (error) => ({ name, error }))));
  if (results.every((r) => r.error && isUnavailable(r.error))) {
    target.replaceChildren(notice('warn', h('span', { id: 'charts-unavailable' },
      'Charts are not available on this server version.')));
    return;
  }
  target.replaceChildren(...results.map((r) => chartCard(uPlot, r)));
}

function chartCard(uPlot, { name, data, error }) {
  const card = h('section', { class: 'card chart', 'data-chart': name });
  if (error) {
    card.append(h('h2', {}, name), notice('error', isUnavailable(error)
      ? 'This chart is not available on this server version.' : errorText(error)));
    return card;
  }
  // One value object per period: cohort (period start, Unix seconds), value (the first measure) and every measure by
  // its id.
  const measures = data.measures?.length ? data.measures : [{ display_name: data.display_name ?? name, unit: data.yaxis }];
  const plotted = ALL_MEASURES.has(name) ? measures.map((m, i) => i) : [0];
  const values = data.values ?? [];
  const xs = values.map((v) => v.cohort);
  const number = (v) => (v === null || v === undefined ? null : Number(v));
  const series = plotted.map((i) => values.map((v) => number(measures[i].id ? v[measures[i].id] : v.value)));
  const format = unitFormat(data.yaxis);
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${data.display_name ?? name} chart` });
  card.append(h('h2', {}, data.display_name ?? name),
    data.description ? h('p', { class: 'hint' }, data.description) : null,
    summary(data.summary, COHORT_TABLES[name] ? measures.slice(0, 1) : measures), plot);
  if (COHORT_TABLES[name] && values.length) card.append(cohortTable(name, COHORT_TABLES[name], measures, values));
  if (!values.length) {
    plot.append(h('p', { class: 'empty' }, 'No data in this range.'));
    return card;
  }
  // uPlot needs the element in the document to measure it; build it on the next frame.
  requestAnimationFrame(() => {
    const width = Math.max(280, plot.clientWidth || 480);
    const chart = new uPlot({
      width, height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { values: (u, ticks) => ticks.map(format), size: 70 }],
      series: [{}, ...plotted.map((i, n) => ({ label: measures[i].display_name, stroke: COLORS[n % COLORS.length],
        width: 2, fill: plotted.length === 1 ? 'rgba(47,111,222,0.12)' : undefined,
        value: (u, v) => (v === null ? '—' : format(v)), points: { show: values.length < 60 },
        // Counts per period (revenue, new customers, movements) read better as columns; levels as a line.
        paths: data.display_type === 'column' ? uPlot.paths.bars({ size: [0.7 / plotted.length, 60] }) : undefined }))],
    }, [xs, ...series], plot);
    new ResizeObserver(() => chart.setSize({ width: Math.max(280, plot.clientWidth), height: 220 })).observe(plot);
  });
  return card;
}

// The cohorts by the periods after them, one measure family at a time; a cell not known yet (null) is a dash.
function cohortTable(name, families, measures, values) {
  const picker = select({ id: `${name}-measure` }, families, families[0][0]);
  const table = h('table', { class: 'cohort-table' });
  const fill = () => {
    const family = picker.value;
    const cells = measures.filter((m) => new RegExp(`^${family}_\\d+$`).test(m.id));
    const format = unitFormat(cells[0]?.unit);
    table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'Cohort'), h('th', {}, measures[0].display_name),
        cells.map((m) => h('th', {}, m.id.slice(family.length + 1))))),
      h('tbody', {}, values.map((v) => h('tr', {}, h('td', {}, v.date), h('td', {}, String(v[measures[0].id])),
        cells.map((m) => h('td', {}, v[m.id] === null || v[m.id] === undefined ? '—' : format(Number(v[m.id]))))))));
  };
  picker.addEventListener('change', fill);
  fill();
  return h('div', { class: 'cohorts' }, field('Measure', picker), table);
}

function unitFormat(unit) {
  if (unit === '$') {
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
    return (v) => money.format(v);
  }
  if (unit === '%') return (v) => `${Number(v).toFixed(1)} %`;
  return (v) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(v);
}

// RevenueCat's summary: {average: {measure name: number}, total: {…}}. Shown: every measure's total, and the plotted
// measure's average; each in its measure's unit.
function summary(value, measures) {
  if (!value || typeof value !== 'object') return null;
  const units = new Map(measures.map((m) => [m.display_name, m.unit]));
  const pairs = [];
  const first = measures[0]?.display_name;
  if (typeof value.average?.[first] === 'number') pairs.push([first, 'average', value.average[first]]);
  for (const [measure, v] of Object.entries(value.total ?? {})) {
    if (typeof v === 'number' && units.has(measure)) pairs.push([measure, 'total', v]);
  }
  if (!pairs.length) return null;
  return h('p', { class: 'summary' }, pairs.map(([measure, operation, v]) => h('span', {},
    `${measure} (${operation}): `, h('strong', {}, unitFormat(units.get(measure))(v)), ' ')));
}
