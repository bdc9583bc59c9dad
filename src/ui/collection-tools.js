// Collections in and out, and runs of them: import a Postman collection (v2.0/v2.1), an OpenAPI
// document (JSON or YAML), a HAR recording (its hosts and static assets picked), curl commands
// or a Postman environment file (picked or dropped) with the import's report shown whole,
// export a collection as Postman v2.1, and the runner's
// form (iterations, delay, data rows or a CSV/JSON data file, environment, bail) that starts a collection run and opens
// its live view (`#/run/<id>`).
import { api, download } from './api.js';
import { catalog, refresh, rootOf } from './catalog.js';
import { state } from './state.js';
import { showPanel, closePanel } from './panel.js';

const { el } = window.vayuDom;

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

// Asks which parts of a HAR recording to import (its hosts, static assets); resolves to the
// import's options, or null when the person cancels.
function harOptions(file, doc) {
  return new Promise((done) => {
    const hosts = harHosts(doc).map(([host, count]) => {
      const box = el('input', { type: 'checkbox', value: host });
      return { box, label: el('label', { class: 'check' }, box, ` ${host} (${count})`) };
    });
    const assets = el('input', { type: 'checkbox', id: 'har-include-static' });
    const finish = (options) => { closePanel(); done(options); };
    const go = () => {
      const onlyHost = hosts.filter((h) => h.box.checked).map((h) => h.box.value);
      finish({ includeStatic: assets.checked, ...(onlyHost.length ? { onlyHost } : {}) });
    };
    showPanel('har-options', el('h2', {}, 'Import ', file.name),
      el('p', { class: 'hint' }, `${doc.log.entries.length} recorded requests. Hosts to keep (none ticked: the first request's site and its subdomains):`),
      el('div', { class: 'form', id: 'har-hosts' }, ...hosts.map((h) => h.label)),
      el('div', { class: 'form' }, el('label', { class: 'check' }, assets, ' keep static assets (images, scripts, styles, fonts, media)')),
      el('p', { class: 'buttons' }, el('button', { id: 'har-import', class: 'primary', onclick: go }, 'Import'),
        el('button', { onclick: () => finish(null) }, 'Cancel')));
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
function reportPanel(reports) {
  const shown = reports.filter((r) => r.notes.length || r.correlations.length);
  if (!shown.length) return;
  showPanel('import-report', el('h2', {}, 'Import report'), ...shown.flatMap((r) => [
    el('h3', {}, r.title),
    r.notes.length ? el('ul', { class: 'import-notes' }, ...r.notes.map((n) => el('li', {}, n))) : '',
    r.correlations.length ? el('table', { class: 'import-correlations' },
      el('thead', {}, el('tr', {}, ...['variable', 'from', 'where', 'sent by'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...r.correlations.map((c) => el('tr', {}, el('td', {}, '{{' + c.variable + '}}'), el('td', {}, c.from),
        el('td', {}, c.source), el('td', {}, c.usedBy.join(', ')))))) : '',
  ]), el('p', { class: 'buttons' }, el('button', { onclick: closePanel }, 'Close')));
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
// Run starts it and opens its live view.
export function runnerPanel(c) {
  const root = rootOf(c.id) || c;
  const folder = root.id === c.id ? null : c.name;
  // Left empty: one iteration per data row, or one (Newman's default).
  const iterations = el('input', { type: 'number', id: 'runner-iterations', min: '1', placeholder: 'one per data row' });
  const delay = el('input', { type: 'number', id: 'runner-delay', min: '0', value: '0' });
  const environment = el('select', { id: 'runner-environment' }, el('option', { value: '' }, 'no environment'),
    ...catalog.environments.map((e) => el('option', { value: e.id }, e.name)));
  environment.value = state.environmentId || '';
  const data = el('textarea', { id: 'runner-data', rows: '4', placeholder: '[{"user": "ada"}, {"user": "grace"}]  or CSV: user\nada\ngrace  (optional: a row per iteration)' });
  // A data file (JSON rows or CSV), read into the box; the engine reads the text as
  // `vayu-cli collection run -d` reads the file.
  const dataFile = el('input', { type: 'file', id: 'runner-data-file', accept: '.json,.csv,.txt,application/json,text/csv' });
  dataFile.addEventListener('change', async () => {
    const file = dataFile.files[0];
    if (file) data.value = await file.text();
  });
  const bail = el('input', { type: 'checkbox', id: 'runner-bail' });
  const problem = el('p', {});
  const run = async () => {
    const body = { collectionId: root.id, delayRequest: Number(delay.value) || 0, bail: bail.checked };
    if (iterations.value) body.iterations = Number(iterations.value);
    if (environment.value) body.environmentId = environment.value;
    if (folder) body.folder = folder;
    try {
      if (data.value.trim()) body.data = data.value;
      const started = await api('POST', '/run', body);
      location.hash = '#/run/' + encodeURIComponent(started.runId);
    } catch (e) {
      problem.replaceChildren(el('span', { class: 'error', id: 'runner-error' }, (e.field ? e.field + ': ' : '') + e.message));
    }
  };
  showPanel('runner', el('h2', {}, 'Run ', folder ? `${root.name} / ${folder}` : c.name),
    el('div', { class: 'form' },
      el('label', {}, 'Iterations ', iterations), el('label', {}, 'Delay between requests (ms) ', delay),
      el('label', {}, 'Environment ', environment), el('label', { class: 'check' }, bail, ' stop at the first failure'),
      el('label', { class: 'wide' }, 'Data (JSON rows or CSV) ', data), el('label', { class: 'wide' }, 'or a data file ', dataFile)),
    el('p', { class: 'buttons' }, el('button', { id: 'runner-start', class: 'primary', onclick: run }, 'Run'),
      el('button', { onclick: closePanel }, 'Close')), problem);
}
