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
import { CodeEditor } from './code-editor.js';
import { FieldsForm } from './load-fields.js';
import { EXECUTORS, defaults, planned } from './load-plan.js';
import { html, render, useEffect, useReducer, useRef, useState } from './components.js';

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

// The planned rate or users as a uPlot chart, drawn again when the plan changes.
function PlanChart({ config }) {
  const ref = useRef(null);
  const p = planned(config);
  const plan = JSON.stringify(p);
  useEffect(() => {
    ref.current.replaceChildren();
    if (typeof uPlot === 'undefined' || p.data[0].some(Number.isNaN)) return;
    const width = Math.min(document.getElementById('app').clientWidth || 800, 800);
    new uPlot({ title: 'Planned ' + (p.rate === 'rate' ? 'rate (iterations per time unit)' : 'users'), width, height: 160,
      scales: { x: { time: false } }, series: [{ label: 's' }, { label: p.rate, stroke: '#2d6cdf', fill: 'rgba(45,108,223,0.1)' }] }, p.data, ref.current);
  }, [plan]);
  return html`<div class="chart" id="plan-chart" ref=${ref}></div>`;
}

// The builder for `what` (subject()). The run file is changed in place by the form; the JSON
// view ("advanced") writes it out, and reading it back replaces it (refused when it is not JSON
// or names an executor the form does not know), which draws the form anew (`generation`).
function Builder({ what }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const file = useRef(null);
  if (!file.current) {
    file.current = what.file;
    if (state.environmentId) file.current.environmentId = state.environmentId;
  }
  const f = file.current;
  const [advanced, setAdvanced] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [problem, setProblem] = useState(null);
  const json = useRef(null);
  const pickExecutor = (e) => { f.config = { ...defaults(e.currentTarget.value), thresholds: f.config.thresholds || [] }; setGeneration(generation + 1); };
  const pickEnvironment = (e) => { if (e.currentTarget.value) f.environmentId = e.currentTarget.value; else delete f.environmentId; redraw(); };
  const flip = () => {
    setProblem(null);
    if (advanced) {
      let parsed;
      try { parsed = JSON.parse(json.current.text); } catch (e) { setProblem({ text: 'Not JSON: ' + e.message }); return; }
      if (!parsed.config || !EXECUTORS[parsed.config.executor]) { setProblem({ text: 'The form needs config.executor, one of ' + Object.keys(EXECUTORS).join(', ') }); return; }
      parsed.config.thresholds = parsed.config.thresholds || [];
      file.current = parsed;
      setGeneration(generation + 1);
    }
    setAdvanced(!advanced);
  };
  const start = async () => {
    setProblem(null);
    let body;
    try { body = advanced ? JSON.parse(json.current.text) : cleaned(f); } catch (e) { setProblem({ text: 'Not JSON: ' + e.message }); return; }
    try {
      const started = await api('POST', '/run', body);
      location.hash = '#/run/' + encodeURIComponent(started.runId);
    } catch (e) {
      setProblem({ text: (e.field ? e.field + ': ' : '') + e.message, id: 'load-error' });
    }
  };
  return html`<h1>Load test: ${what.title}</h1><p class="sub">${what.sub}</p>
    <div id="load-form" hidden=${advanced}><div class="form">
        <label class="field"><span>name</span><input type="text" id="run-name" value=${f.name || ''} onInput=${(e) => { f.name = e.currentTarget.value; }} /></label>
        <label class="field"><span>executor</span><select id="executor" value=${f.config.executor} onChange=${pickExecutor}>
          ${Object.keys(EXECUTORS).map((x) => html`<option value=${x}>${x}</option>`)}</select></label>
        <label class="field"><span>environment</span><select id="load-environment" value=${f.environmentId || ''} onChange=${pickEnvironment}>
          <option value="">no environment</option>${catalog.environments.map((e) => html`<option value=${e.id}>${e.name}</option>`)}</select></label></div>
      <div><${FieldsForm} key=${generation} config=${f.config} onChange=${redraw} /></div>
      <${PlanChart} config=${f.config} /></div>
    ${advanced ? html`<${CodeEditor} id="run-json" doc=${JSON.stringify(cleaned(f), null, 2)} language="json" editor=${json} />`
      : html`<div class="code" id="run-json" hidden></div>`}
    <p class="buttons"><button id="start-load" class="primary" onClick=${start}>Start</button>
      <button id="advanced" onClick=${flip}>${advanced ? 'Back to the form' : 'Advanced: the run file as JSON'}</button>
      <a href="#/work">Back to the workbench</a></p>
    <p>${problem && html`<span class="error" id=${problem.id}>${problem.text}</span>`}</p>`;
}

// Draws the builder into `app` (emptied by the workbench first; what Preact drew there before
// is let go, as the dashboard may have drawn over it by hand since).
export function loadBuilder(app, tabId, collectionId) {
  const what = subject(tabId, collectionId);
  render(null, app);
  app.replaceChildren();
  if (!what) {
    render(html`<p class="error">Nothing to test: open the request in the workbench (or pick a collection) and press Load test.</p>`, app);
    return;
  }
  render(html`<${Builder} what=${what} />`, app);
}
