// The engine's own state, from the header's engine line: `GET /health`, `GET /config` (its
// settings and limits) and `GET /metrics` (the Prometheus text), in a panel over the workbench.
import { api, headers } from './api.js';
import { showPanel, closePanel } from './panel.js';

const { el } = window.vayuDom;

// A nested object as rows of `a.b` and the value.
const flat = (o, prefix = '') => Object.entries(o || {}).flatMap(([k, v]) =>
  (v && typeof v === 'object' && !Array.isArray(v) ? flat(v, prefix + k + '.') : [[prefix + k, Array.isArray(v) ? v.join(', ') : String(v)]]));

export async function showEngine() {
  const [health, config, metrics] = await Promise.all([
    api('GET', '/health'),
    api('GET', '/config'),
    fetch('/metrics', { headers: headers() }).then((r) => (r.ok ? r.text() : `${r.status} ${r.statusText}`)),
  ]);
  const rows = (o) => el('table', { class: 'engine-table' }, el('tbody', {}, ...flat(o).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)))));
  showPanel('engine-info', el('h2', {}, 'Engine'), rows(health), el('h3', {}, 'Settings and limits (GET /config)'), rows(config),
    el('h3', {}, 'Metrics (GET /metrics)'), el('pre', { class: 'raw', id: 'engine-metrics' }, metrics.split('\n').filter((l) => l && !l.startsWith('#')).join('\n')),
    el('p', { class: 'buttons' }, el('button', { class: 'close', onclick: closePanel }, 'Close')));
}
