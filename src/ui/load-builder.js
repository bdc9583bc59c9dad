// The run builder: a load test of a workbench tab's request, or of a saved collection as a
// journey. The executor is picked from k6's
// list and its fields are form inputs (docs/load.md), thresholds are rows, a chart previews the
// planned rate or users over time, and the run file stays one click away as JSON ("advanced"),
// which round-trips with the form. Start sends the run file to `POST /run` and opens the live
// view (`#/run/<id>`).
import { api } from './api.js';
import { state } from './state.js';
import { catalog } from './catalog.js';
import { specOf } from './actions.js';

const { el } = window.vayuDom;

const num = (name, hint, value) => ({ name, kind: 'number', hint, value });
const dur = (name, hint, value) => ({ name, kind: 'duration', hint, value });
const stages = (hint) => ({ name: 'stages', kind: 'stages', hint });
// Each executor's fields, with k6's names; a value given here is the form's starting value.
export const EXECUTORS = {
  'constant-arrival-rate': [num('rate', 'iterations per time unit', 50), dur('timeUnit', 'default 1s', '1s'), dur('duration', 'e.g. 30s', '30s'),
    num('preAllocatedVUs', 'users ready at the start'), num('maxVUs', 'users at most; beyond, iterations are dropped')],
  'ramping-arrival-rate': [num('startRate', 'the rate at the start', 0), dur('timeUnit', 'default 1s', '1s'), stages('target: iterations per time unit'),
    num('preAllocatedVUs', 'users ready at the start'), num('maxVUs', 'users at most')],
  'constant-vus': [num('vus', 'users looping', 10), dur('duration', 'e.g. 30s', '30s')],
  'ramping-vus': [num('startVUs', 'users at the start', 1), stages('target: users')],
  'per-vu-iterations': [num('vus', 'users', 5), num('iterations', 'each user runs this many', 10), dur('maxDuration', 'default 10m')],
  'shared-iterations': [num('vus', 'users', 5), num('iterations', 'in all', 100), dur('maxDuration', 'default 10m')],
};

// Seconds in a duration as the engine writes them ("500ms", "30s", "2m", "1h", or a number of seconds).
export function seconds(d) {
  if (typeof d === 'number') return d;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(d || ''));
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] || 's'];
}

function defaults(executor) {
  const config = { executor };
  for (const f of EXECUTORS[executor]) {
    if (f.kind === 'stages') config.stages = [{ duration: '10s', target: 20 }, { duration: '20s', target: 20 }];
    else if (f.value !== undefined) config[f.name] = f.value;
  }
  return config;
}

// The planned rate (or users) over time: [times, values].
function planned(config) {
  const rate = config.executor.includes('arrival') ? 'rate' : 'users';
  if (config.stages) {
    const xs = [0];
    const ys = [Number(config.startRate !== undefined ? config.startRate : config.startVUs) || 0];
    for (const st of config.stages) { xs.push(xs[xs.length - 1] + seconds(st.duration)); ys.push(Number(st.target) || 0); }
    return { rate, data: [xs, ys] };
  }
  const d = seconds(config.duration || config.maxDuration || '10s');
  const y = Number(config.rate !== undefined ? config.rate : config.vus) || 0;
  return { rate, data: [[0, d], [y, y]] };
}

function stagesTable(config, onChange) {
  const body = el('tbody', {});
  const draw = () => body.replaceChildren(...config.stages.map((st, i) => el('tr', {},
    ...['duration', 'target'].map((k) => {
      const input = el('input', { type: k === 'target' ? 'number' : 'text', class: 'stage-' + k, value: st[k] });
      input.addEventListener('input', () => { st[k] = k === 'target' ? Number(input.value) : input.value; onChange(); });
      return el('td', {}, input);
    }),
    el('td', {}, el('button', { class: 'icon', onclick: () => { config.stages.splice(i, 1); draw(); onChange(); } }, '×')))));
  draw();
  return el('div', {}, el('table', { class: 'kv', id: 'stages' }, el('thead', {}, el('tr', {}, el('th', {}, 'duration'), el('th', {}, 'target'), el('th', {}))), body),
    el('button', { class: 'small', onclick: () => { config.stages.push({ duration: '10s', target: 10 }); draw(); onChange(); } }, '+ stage'));
}

function thresholdRows(config, onChange) {
  const list = el('div', { id: 'thresholds' });
  const draw = () => list.replaceChildren(...config.thresholds.map((t, i) => {
    const input = el('input', { type: 'text', class: 'threshold', value: t, placeholder: 'p95<200ms, errors<1%, rps>=490' });
    input.addEventListener('input', () => { config.thresholds[i] = input.value; onChange(); });
    return el('div', { class: 'row' }, input, el('button', { class: 'icon', onclick: () => { config.thresholds.splice(i, 1); draw(); onChange(); } }, '×'));
  }), el('button', { class: 'small', id: 'add-threshold', onclick: () => { config.thresholds.push(''); draw(); } }, '+ threshold'));
  draw();
  return list;
}

// The form's inputs for `file.config`'s executor.
function fieldsForm(file, onChange) {
  const config = file.config;
  config.thresholds = config.thresholds || [];
  const rows = EXECUTORS[config.executor].map((f) => {
    if (f.kind === 'stages') {
      config.stages = config.stages || [];
      return el('div', { class: 'field wide' }, el('span', {}, 'stages ', el('small', {}, f.hint)), stagesTable(config, onChange));
    }
    const input = el('input', { type: f.kind === 'number' ? 'number' : 'text', id: 'field-' + f.name, min: '0', value: config[f.name] === undefined ? '' : config[f.name] });
    input.addEventListener('input', () => {
      if (input.value === '') delete config[f.name];
      else config[f.name] = f.kind === 'number' ? Number(input.value) : input.value;
      onChange();
    });
    return el('label', { class: 'field' }, el('span', {}, f.name, ' ', el('small', {}, f.hint)), input);
  });
  return el('div', { class: 'form' }, ...rows, el('div', { class: 'field wide' }, el('span', {}, 'thresholds ', el('small', {}, 'the run fails when one does not hold')), thresholdRows(config, onChange)));
}

// The run file with blank thresholds left out.
const cleaned = (file) => {
  const out = JSON.parse(JSON.stringify(file));
  out.config.thresholds = out.config.thresholds.filter((t) => t.trim());
  if (!out.config.thresholds.length) delete out.config.thresholds;
  return out;
};

// What the run is of: a tab's request, or a saved collection run as a journey (`flow`).
function subject(tabId, collectionId) {
  if (collectionId) {
    const c = catalog.collections.find((x) => x.id === collectionId);
    if (!c) return null;
    return { title: c.name, sub: 'the collection\'s requests in order, as each user\'s journey',
      file: { name: c.name + ' load test', flow: { collectionId }, config: defaults('constant-vus') } };
  }
  const tab = state.tabs.find((t) => t.id === tabId);
  if (!tab) return null;
  return { title: tab.model.name, sub: tab.model.method + ' ' + tab.model.url,
    file: { name: tab.model.name + ' load test', request: specOf(tab), config: defaults('constant-arrival-rate') } };
}

export function loadBuilder(app, tabId, collectionId) {
  const what = subject(tabId, collectionId);
  if (!what) {
    app.append(el('p', { class: 'error' }, 'Nothing to test: open the request in the workbench (or pick a collection) and press Load test.'));
    return;
  }
  let file = what.file;
  if (state.environmentId) file.environmentId = state.environmentId;
  let advanced = false;
  const executor = el('select', { id: 'executor' }, ...Object.keys(EXECUTORS).map((x) => el('option', { value: x }, x)));
  const name = el('input', { type: 'text', id: 'run-name', value: file.name });
  const environment = el('select', { id: 'load-environment' }, el('option', { value: '' }, 'no environment'),
    ...catalog.environments.map((e) => el('option', { value: e.id }, e.name)));
  const formBox = el('div', {});
  const chartBox = el('div', { class: 'chart', id: 'plan-chart' });
  const jsonBox = el('div', { class: 'code', id: 'run-json' });
  const problem = el('p', {});
  const toggle = el('button', { id: 'advanced' });
  let json = null;
  const preview = () => {
    const p = planned(file.config);
    chartBox.replaceChildren();
    if (typeof uPlot === 'undefined' || p.data[0].some(Number.isNaN)) return;
    new uPlot({ title: 'Planned ' + (p.rate === 'rate' ? 'rate (iterations per time unit)' : 'users'), width: Math.min(app.clientWidth || 800, 800), height: 160,
      scales: { x: { time: false } }, series: [{ label: 's' }, { label: p.rate, stroke: '#2d6cdf', fill: 'rgba(45,108,223,0.1)' }] }, p.data, chartBox);
  };
  const drawForm = () => {
    executor.value = file.config.executor;
    name.value = file.name || '';
    environment.value = file.environmentId || '';
    formBox.replaceChildren(fieldsForm(file, preview));
    preview();
  };
  executor.addEventListener('change', () => { file.config = { ...defaults(executor.value), thresholds: file.config.thresholds || [] }; drawForm(); });
  name.addEventListener('input', () => { file.name = name.value; });
  environment.addEventListener('change', () => { if (environment.value) file.environmentId = environment.value; else delete file.environmentId; });
  const form = el('div', { id: 'load-form' }, el('div', { class: 'form' },
    el('label', { class: 'field' }, el('span', {}, 'name'), name), el('label', { class: 'field' }, el('span', {}, 'executor'), executor),
    el('label', { class: 'field' }, el('span', {}, 'environment'), environment)), formBox, chartBox);
  // Form → JSON writes the run file; JSON → form reads it back (refused when it is not JSON or
  // names an executor the form does not know).
  const flip = () => {
    problem.replaceChildren();
    if (!advanced) {
      jsonBox.replaceChildren();
      json = window.vayuEditor.create(jsonBox, { doc: JSON.stringify(cleaned(file), null, 2), language: 'json' });
    } else {
      let parsed;
      try { parsed = JSON.parse(json.text); } catch (e) { problem.append(el('span', { class: 'error' }, 'Not JSON: ' + e.message)); return; }
      if (!parsed.config || !EXECUTORS[parsed.config.executor]) { problem.append(el('span', { class: 'error' }, 'The form needs config.executor, one of ' + Object.keys(EXECUTORS).join(', '))); return; }
      parsed.config.thresholds = parsed.config.thresholds || [];
      file = parsed;
      drawForm();
    }
    advanced = !advanced;
    form.hidden = advanced;
    jsonBox.hidden = !advanced;
    toggle.textContent = advanced ? 'Back to the form' : 'Advanced: the run file as JSON';
  };
  toggle.addEventListener('click', flip);
  toggle.textContent = 'Advanced: the run file as JSON';
  jsonBox.hidden = true;
  const start = el('button', { id: 'start-load', class: 'primary', onclick: async () => {
    problem.replaceChildren();
    let body;
    try { body = advanced ? JSON.parse(json.text) : cleaned(file); } catch (e) { problem.append(el('span', { class: 'error' }, 'Not JSON: ' + e.message)); return; }
    try {
      const started = await api('POST', '/run', body);
      location.hash = '#/run/' + encodeURIComponent(started.runId);
    } catch (e) {
      problem.append(el('span', { class: 'error', id: 'load-error' }, (e.field ? e.field + ': ' : '') + e.message));
    }
  } }, 'Start');
  app.append(el('h1', {}, 'Load test: ', what.title), el('p', { class: 'sub' }, what.sub), form, jsonBox,
    el('p', { class: 'buttons' }, start, toggle, el('a', { href: '#/work' }, 'Back to the workbench')), problem);
  drawForm();
}
