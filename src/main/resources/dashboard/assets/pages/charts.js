// /projects/{project_id}/charts: the overview numbers and a plot of every chart (uPlot, served by this server).
import { get, path, isUnavailable } from '../api.js';
import { h, field, select, notice, section, errorText } from '../ui.js';

export const CHARTS = ['actives', 'mrr', 'revenue', 'trials', 'churn', 'refund_rate', 'customers_new',
  'trial_conversion_rate'];
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
  // RevenueCat's flat values: {cohort (period start, Unix seconds), measure (index), value, incomplete}.
  const values = (data.values ?? []).filter((v) => (v.measure ?? 0) === 0);
  const xs = values.map((v) => v.cohort);
  const ys = values.map((v) => (v.value === null || v.value === undefined ? null : Number(v.value)));
  const format = valueFormat(data);
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${data.display_name ?? name} chart` });
  card.append(h('h2', {}, data.display_name ?? name),
    data.description ? h('p', { class: 'hint' }, data.description) : null,
    summary(data.summary, format), plot);
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
      series: [{}, { label: data.display_name ?? name, stroke: '#2f6fde', width: 2, fill: 'rgba(47,111,222,0.12)',
        value: (u, v) => (v === null ? '—' : format(v)), points: { show: values.length < 60 },
        // Counts per period (revenue, new customers) read better as columns; levels as a line.
        paths: data.display_type === 'column' ? uPlot.paths.bars({ size: [0.7, 60] }) : undefined }],
    }, [xs, ys], plot);
    new ResizeObserver(() => chart.setSize({ width: Math.max(280, plot.clientWidth), height: 220 })).observe(plot);
  });
  return card;
}

function valueFormat(data) {
  if (data.yaxis === '$' && data.yaxis_currency) {
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: data.yaxis_currency.toUpperCase(),
      maximumFractionDigits: 2 });
    return (v) => money.format(v);
  }
  if (data.yaxis === '%') {
    return (v) => `${Number(v).toFixed(1)} %`;
  }
  return (v) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(v);
}

function summary(value, format) {
  if (!value || typeof value !== 'object') return null;
  const pairs = [];
  for (const [key, v] of Object.entries(value)) {
    if (v && typeof v === 'object') {
      for (const [inner, w] of Object.entries(v)) {
        if (typeof w === 'number') pairs.push([`${key} ${inner}`, w]);
      }
    } else if (typeof v === 'number') {
      pairs.push([key, v]);
    }
  }
  if (!pairs.length) return null;
  return h('p', { class: 'summary' }, pairs.map(([key, v]) => h('span', {}, `${key.replaceAll('_', ' ')}: `,
    h('strong', {}, format(v)), ' ')));
}
