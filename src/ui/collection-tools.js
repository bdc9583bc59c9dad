// Collections in and out, and runs of them: import a Postman collection (v2.0/v2.1), an OpenAPI
// document (JSON or YAML), a HAR recording, curl commands or a Postman environment file (picked
// or dropped), export a collection as Postman v2.1, and the runner's
// form (iterations, delay, data rows, environment, bail) that starts a collection run and opens
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

// A file as `POST /collections/import` takes it: a JSON document (a Postman collection, an
// OpenAPI document, a HAR recording: the engine tells which) as the body; any other text
// (OpenAPI in YAML, curl commands) as `content`, the engine telling its format too.
async function importOne(file) {
  const text = await file.text();
  let doc = null;
  try { doc = JSON.parse(text); } catch (e) { /* YAML or curl: sent as text */ }
  if (doc && isEnvironment(doc)) {
    const variables = Object.fromEntries(doc.values.filter((v) => v.enabled !== false).map((v) => [v.key, v.value]));
    await api('POST', '/environments', { name: doc.name || file.name, variables });
    return `environment ${doc.name || file.name}`;
  }
  const saved = await api('POST', '/collections/import', doc || { content: text, name: file.name.replace(/\.[^.]+$/, '') });
  await refresh();
  const name = (catalog.collections.find((c) => c.id === saved.id) || {}).name || file.name;
  const notes = saved.report && saved.report.notes && saved.report.notes.length ? `, ${saved.report.notes.length} notes` : '';
  return `${name} (${saved.format || 'postman'}, ${saved.requests.length} requests${notes})`;
}

export async function importFiles(files) {
  const done = [];
  try {
    for (const file of files) done.push(await importOne(file));
    notice('Imported: ' + done.join(', '));
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
  const iterations = el('input', { type: 'number', id: 'runner-iterations', min: '1', value: '1' });
  const delay = el('input', { type: 'number', id: 'runner-delay', min: '0', value: '0' });
  const environment = el('select', { id: 'runner-environment' }, el('option', { value: '' }, 'no environment'),
    ...catalog.environments.map((e) => el('option', { value: e.id }, e.name)));
  environment.value = state.environmentId || '';
  const data = el('textarea', { id: 'runner-data', rows: '4', placeholder: '[{"user": "ada"}, {"user": "grace"}]  (optional: a row per iteration)' });
  // A data file: a JSON list of rows, read into the box (the API takes rows, not files).
  const dataFile = el('input', { type: 'file', id: 'runner-data-file', accept: '.json,application/json' });
  dataFile.addEventListener('change', async () => {
    const file = dataFile.files[0];
    if (!file) return;
    const text = await file.text();
    try {
      if (!Array.isArray(JSON.parse(text))) throw new Error('not a list of rows');
      data.value = text;
      problem.replaceChildren();
    } catch (e) {
      problem.replaceChildren(el('span', { class: 'error' }, `${file.name}: ${e.message}; a data file is a JSON list of rows`));
    }
  });
  const bail = el('input', { type: 'checkbox', id: 'runner-bail' });
  const problem = el('p', {});
  const run = async () => {
    const body = { collectionId: root.id, iterations: Number(iterations.value) || 1, delayRequest: Number(delay.value) || 0, bail: bail.checked };
    if (environment.value) body.environmentId = environment.value;
    if (folder) body.folder = folder;
    try {
      if (data.value.trim()) body.data = JSON.parse(data.value);
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
      el('label', { class: 'wide' }, 'Data rows (JSON) ', data), el('label', { class: 'wide' }, 'or a data file (JSON) ', dataFile)),
    el('p', { class: 'buttons' }, el('button', { id: 'runner-start', class: 'primary', onclick: run }, 'Run'),
      el('button', { onclick: closePanel }, 'Close')), problem);
}
