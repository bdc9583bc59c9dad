// Collections in and out, and runs of them: import a Postman collection (v2.0/v2.1), an OpenAPI
// document (JSON or YAML), a HAR recording (its hosts and static assets picked), curl commands
// or a Postman environment file (picked or dropped) with the import's report shown whole,
// export a collection as Postman v2.1, and the runner's
// form (iterations, delay, data rows or a CSV/JSON data file, environment, bail) that starts a collection run and opens
// its live view (`#/run/<id>`).
import { api, download } from './api.js';
import { catalog, refresh, rootOf } from './catalog.js';
import { state } from './state.js';
import { showView, closePanel } from './panel.js';
import { html, useState } from './components.js';

// Says what happened in the header's notice line (an import's result, a refusal).
export function notice(text, isError) {
  const line = document.getElementById('notice');
  if (!line) return;
  line.className = isError ? 'error' : 'ok';
  line.textContent = text;
}

// A Postman environment export: `values` of `{key, value, enabled}`.
const isEnvironment = (doc) => Array.isArray(doc.values) && !doc.item;

// The hosts a HAR recording's requests went to, with how many each.
function harHosts(doc) {
  const counts = new Map();
  for (const entry of doc.log.entries) {
    let host = '';
    try { host = new URL(entry.request.url).host; } catch (e) { continue; }
    counts.set(host, (counts.get(host) || 0) + 1);
  }
  return [...counts];
}

// Asks which parts of a HAR recording to import (its hosts, static assets); `finish` gets the
// import's options, or null when the person cancels.
function HarOptions({ file, doc, finish }) {
  const [kept, setKept] = useState(() => new Set());
  const [assets, setAssets] = useState(false);
  const tick = (host, on) => setKept((before) => {
    const next = new Set(before);
    if (on) next.add(host); else next.delete(host);
    return next;
  });
  const hosts = harHosts(doc);
  // The hosts ticked, in the recording's order.
  const onlyHost = () => hosts.map(([host]) => host).filter((host) => kept.has(host));
  const go = () => finish({ includeStatic: assets, ...(kept.size ? { onlyHost: onlyHost() } : {}) });
  return html`<h2>Import ${file.name}</h2>
    <p class="hint">${doc.log.entries.length} recorded requests. Hosts to keep (none ticked: the first request's site and its subdomains):</p>
    <div class="form" id="har-hosts">${hosts.map(([host, count]) => html`<label class="check"><input type="checkbox" value=${host}
      checked=${kept.has(host)} onChange=${(e) => tick(host, e.currentTarget.checked)} /> ${host} (${count})</label>`)}</div>
    <div class="form"><label class="check"><input type="checkbox" id="har-include-static" checked=${assets}
      onChange=${(e) => setAssets(e.currentTarget.checked)} /> keep static assets (images, scripts, styles, fonts, media)</label></div>
    <p class="buttons"><button id="har-import" class="primary" onClick=${go}>Import</button>
      <button onClick=${() => finish(null)}>Cancel</button></p>`;
}

function harOptions(file, doc) {
  return new Promise((done) => {
    const finish = (options) => { closePanel(); done(options); };
    showView('har-options', html`<${HarOptions} file=${file} doc=${doc} finish=${finish} />`);
  });
}

// A file as `POST /collections/import` takes it: a JSON document (a Postman collection, an
// OpenAPI document: the engine tells which) as the body; a HAR recording with the options
// asked for; any other text (OpenAPI in YAML, curl commands) as `content`, the engine telling
// its format too. Resolves to a line for the notice and the import's report (null when
// cancelled).
async function importOne(file) {
  const text = await file.text();
  let doc = null;
  try { doc = JSON.parse(text); } catch (e) { /* YAML or curl: sent as text */ }
  if (doc && isEnvironment(doc)) {
    const variables = Object.fromEntries(doc.values.filter((v) => v.enabled !== false).map((v) => [v.key, v.value]));
    await api('POST', '/environments', { name: doc.name || file.name, variables });
    return { line: `environment ${doc.name || file.name}`, report: null };
  }
  const name = file.name.replace(/\.[^.]+$/, '');
  let body = doc || { content: text, name };
  if (doc && doc.log && Array.isArray(doc.log.entries)) {
    const options = await harOptions(file, doc);
    if (!options) return { line: `${file.name} not imported`, report: null };
    body = { format: 'har', content: doc, name, ...options };
  }
  const saved = await api('POST', '/collections/import', body);
  await refresh();
  const title = (catalog.collections.find((c) => c.id === saved.id) || {}).name || file.name;
  const report = saved.report || { notes: [], correlations: [] };
  const notes = report.notes.length ? `, ${report.notes.length} notes` : '';
  return { line: `${title} (${saved.format || 'postman'}, ${saved.requests.length} requests${notes})`, report: { title, ...report } };
}

// What imports left out or linked up (`report.notes`, `report.correlations`), shown whole.
const Report = ({ r }) => html`<h3>${r.title}</h3>
  ${r.notes.length > 0 && html`<ul class="import-notes">${r.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
  ${r.correlations.length > 0 && html`<table class="import-correlations">
    <thead><tr><th>variable</th><th>from</th><th>where</th><th>sent by</th></tr></thead>
    <tbody>${r.correlations.map((c) => html`<tr><td>{{${c.variable}}}</td><td>${c.from}</td><td>${c.source}</td>
      <td>${c.usedBy.join(', ')}</td></tr>`)}</tbody></table>`}`;

function reportPanel(reports) {
  const shown = reports.filter((r) => r.notes.length || r.correlations.length);
  if (!shown.length) return;
  showView('import-report', html`<h2>Import report</h2>${shown.map((r) => html`<${Report} r=${r} />`)}
    <p class="buttons"><button onClick=${closePanel}>Close</button></p>`);
}

export async function importFiles(files) {
  const done = [];
  try {
    for (const file of files) done.push(await importOne(file));
    notice('Imported: ' + done.map((d) => d.line).join(', '));
    reportPanel(done.map((d) => d.report).filter(Boolean));
  } catch (e) {
    notice('Import refused: ' + (e.field ? e.field + ': ' : '') + e.message, true);
  }
  await refresh();
}

export function exportCollection(c) {
  return download(`/collections/${encodeURIComponent(c.id)}/export`, c.name.replace(/[^\w.-]+/g, '_') + '.postman_collection.json')
    .catch((e) => notice(e.message, true));
}

// The runner's form for collection `c` (a folder: its collection, only that folder's requests);
// Run starts it and opens its live view. Iterations left empty: one per data row, or one
// (Newman's default).
function Runner({ c }) {
  const root = rootOf(c.id) || c;
  const folder = root.id === c.id ? null : c.name;
  const [iterations, setIterations] = useState('');
  const [delay, setDelay] = useState('0');
  const [environment, setEnvironment] = useState(state.environmentId || '');
  const [data, setData] = useState('');
  const [bail, setBail] = useState(false);
  const [problem, setProblem] = useState(null);
  // A data file (JSON rows or CSV), read into the box; the engine reads the text as
  // `vayu-cli collection run -d` reads the file.
  const dataFile = async (e) => {
    const file = e.currentTarget.files[0];
    if (file) setData(await file.text());
  };
  const run = async () => {
    const body = { collectionId: root.id, delayRequest: Number(delay) || 0, bail };
    if (iterations) body.iterations = Number(iterations);
    if (environment) body.environmentId = environment;
    if (folder) body.folder = folder;
    try {
      if (data.trim()) body.data = data;
      const started = await api('POST', '/run', body);
      location.hash = '#/run/' + encodeURIComponent(started.runId);
    } catch (e) {
      setProblem((e.field ? e.field + ': ' : '') + e.message);
    }
  };
  const value = (set) => (e) => set(e.currentTarget.value);
  return html`<h2>Run ${folder ? `${root.name} / ${folder}` : c.name}</h2>
    <div class="form">
      <label>Iterations <input type="number" id="runner-iterations" min="1" placeholder="one per data row" value=${iterations} onInput=${value(setIterations)} /></label>
      <label>Delay between requests (ms) <input type="number" id="runner-delay" min="0" value=${delay} onInput=${value(setDelay)} /></label>
      <label>Environment <select id="runner-environment" value=${environment} onChange=${value(setEnvironment)}>
        <option value="">no environment</option>${catalog.environments.map((e) => html`<option value=${e.id}>${e.name}</option>`)}</select></label>
      <label class="check"><input type="checkbox" id="runner-bail" checked=${bail} onChange=${(e) => setBail(e.currentTarget.checked)} /> stop at the first failure</label>
      <label class="wide">Data (JSON rows or CSV) <textarea id="runner-data" rows="4" value=${data} onInput=${value(setData)}
        placeholder=${'[{"user": "ada"}, {"user": "grace"}]  or CSV: user\nada\ngrace  (optional: a row per iteration)'} /></label>
      <label class="wide">or a data file <input type="file" id="runner-data-file" accept=".json,.csv,.txt,application/json,text/csv" onChange=${dataFile} /></label></div>
    <p class="buttons"><button id="runner-start" class="primary" onClick=${run}>Run</button>
      <button onClick=${closePanel}>Close</button></p>
    <p>${problem && html`<span class="error" id="runner-error">${problem}</span>`}</p>`;
}

export function runnerPanel(c) {
  showView('runner', html`<${Runner} c=${c} />`);
}
