// The engine's own state, from the header's engine line: `GET /health`, `GET /config` (its
// settings and limits) and `GET /metrics` (the Prometheus text), in a panel over the workbench.
import { api, headers } from './api.js';
import { showView, closePanel } from './panel.js';
import { html } from './components.js';

// A nested object as rows of `a.b` and the value.
const flat = (o, prefix = '') => Object.entries(o || {}).flatMap(([k, v]) =>
  (v && typeof v === 'object' && !Array.isArray(v) ? flat(v, prefix + k + '.') : [[prefix + k, Array.isArray(v) ? v.join(', ') : String(v)]]));

const Rows = ({ of }) => html`<table class="engine-table"><tbody>
  ${flat(of).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;

// The metrics without Prometheus' comment lines.
const samples = (metrics) => metrics.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');

function Engine({ health, config, metrics }) {
  return html`<h2>Engine</h2><${Rows} of=${health} />
    <h3>Settings and limits (GET /config)</h3><${Rows} of=${config} />
    <h3>Metrics (GET /metrics)</h3><pre class="raw" id="engine-metrics">${samples(metrics)}</pre>
    <p class="buttons"><button class="close" onClick=${closePanel}>Close</button></p>`;
}

export async function showEngine() {
  const [health, config, metrics] = await Promise.all([
    api('GET', '/health'),
    api('GET', '/config'),
    fetch('/metrics', { headers: headers() }).then((r) => (r.ok ? r.text() : `${r.status} ${r.statusText}`)),
  ]);
  showView('engine-info', html`<${Engine} health=${health} config=${config} metrics=${metrics} />`);
}
