// The runs dashboard: runs (history from the database), a run's live view over its event
// stream (a collection run's requests as they run), a finished run's report, and a form to start
// a run from a run file. An ES module: the Manager (manager.js) routes `#/runs`, `#/run/...` and
// `#/new` here through `route`. It calls the JSON API through api.js like any client.
import { api, download, follow } from './api.js';

const app = document.getElementById('app');
const { el, table, ms, num } = window.vayuDom;
let leaving = null; // aborts the live view's stream when the page changes
async function route() {
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const [, page, id] = (location.hash || '#/runs').split('/');
  app.replaceChildren();
  api('GET', '/health').then((h) => {
    document.getElementById('engine').textContent = `vayu-engine ${h.version} · ${h.workers} workers · ${h.activeRuns} active`;
  }).catch(() => {});
  try {
    if (page === 'new') await newRun();
    else if (page === 'run' && id) await runView(decodeURIComponent(id), leaving.signal);
    else await runs();
  } catch (e) {
    if (e.name !== 'AbortError') app.append(el('p', { class: 'error', id: 'error' }, e.message));
  }
  app.setAttribute('data-page', page || 'runs');
}

async function runs() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const query = new URLSearchParams({ limit: '100' });
  for (const k of ['status', 'type']) if (params.get(k)) query.set(k, params.get(k));
  const list = await api('GET', '/runs?' + query);
  const select = (name, options) => el('label', {}, name + ' ', el('select', {
    onchange: (e) => { params.set(name, e.target.value); location.hash = '#/runs?' + params; },
  }, ...['', ...options].map((o) => {
    const option = el('option', { value: o }, o || 'any');
    if (o === (params.get(name) || '')) option.selected = true;
    return option;
  })));
  app.append(el('h1', {}, 'Runs'), el('div', { class: 'filters' },
    select('status', ['running', 'completed', 'stopped', 'failed']),
    select('type', ['load', 'collection', 'design'])));
  const rows = list.items.map((run) => {
    const s = run.summary || {};
    const latency = s.latencyUs ? (s.latencyUs.corrected || s.latencyUs.service) : null;
    const done = ['completed', 'stopped', 'failed'].includes(run.status);
    const actions = el('td', {});
    if (done) {
      actions.append(el('button', { onclick: async () => {
        if (!confirm('Delete run ' + run.id + ' and its results?')) return;
        await api('DELETE', '/run/' + run.id);
        route();
      } }, 'Delete'));
    }
    const duration = run.endTime ? ((run.endTime - run.startTime) / 1000).toFixed(1) + ' s' : '';
    const c = run.config || {};
    const name = c.name || (s.collection && s.collection.name) || (c.request && c.request.url) || '';
    return el('tr', { 'data-run': run.id },
      el('td', {}, el('a', { href: '#/run/' + encodeURIComponent(run.id) }, run.id)), el('td', {}, name),
      el('td', {}, run.type), el('td', {}, el('span', { class: 'status ' + run.status }, run.status)),
      el('td', {}, new Date(run.startTime).toLocaleString()), el('td', {}, duration),
      el('td', {}, s.requestsSent !== undefined ? num(s.requestsSent) : ''),
      el('td', {}, s.failed !== undefined ? num(s.failed) : ''),
      el('td', {}, latency ? ms(latency.p95) : ''),
      el('td', {}, s.thresholdsOk === undefined ? '' : s.thresholdsOk ? 'ok' : 'failed'),
      actions);
  });
  app.append(el('table', { id: 'runs' },
    el('thead', {}, el('tr', {}, ...['run', 'name', 'type', 'status', 'started', 'duration', 'requests', 'errors', 'p95', 'thresholds', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows)),
    el('p', {}, `${list.items.length} of ${list.total} runs`));
}

async function runView(id, signal) {
  const run = await api('GET', '/run/' + encodeURIComponent(id));
  if (run.status !== 'running' && run.status !== 'pending') {
    await finished(run, signal);
    return;
  }
  app.append(heading(run));
  const stop = el('button', { id: 'stop', onclick: () => api('POST', '/run/' + encodeURIComponent(id) + '/stop') }, 'Stop');
  const live = el('div', { class: 'cards' });
  const chartBox = el('div', { class: 'chart' });
  const details = el('div', { id: 'details' });
  app.append(stop, live, chartBox, details);
  const points = [[], [], [], []];
  let chart = null;
  await follow(id, (name, data) => {
    if (name === 'metrics' && data.latencyUs) {
      const l = data.latencyUs.lastSecond;
      const card = (key, value, label) => el('div', { class: 'card' }, el('b', { id: key }, value), el('span', {}, label));
      live.replaceChildren(
        card('sent', num(data.requestsSent) + (data.requestsExpected ? ' / ' + num(data.requestsExpected) : ''), 'sent / expected'),
        card('rps', num(data.rps), 'requests/s (last second)'),
        card('p99', ms(l.p99), 'p99 (last second)'),
        card('errors', (data.errorRate * 100).toFixed(2) + '%', 'errors'),
        card('in-flight', num(data.inFlight), 'in flight'),
        card('dropped', num(data.dropped), 'dropped'));
      // Sent against expected, latency (corrected and service time when both exist), status
      // codes, errors by category and, for a journey, its steps.
      const lat = data.latencyUs;
      const row = (label, b) => [label, ms(b.p50), ms(b.p95), ms(b.p99)];
      const parts = [
        data.requestsExpected ? el('progress', { id: 'progress', max: String(data.requestsExpected), value: String(data.requestsSent) }) : '',
        el('h2', {}, 'Latency (last second)'),
        el('div', { id: 'latency' }, table(['', 'p50', 'p95', 'p99'], lat.serviceLastSecond
          ? [row('corrected (from intended send)', lat.lastSecond), row('service time', lat.serviceLastSecond)]
          : [row('service time', lat.lastSecond)])),
        el('h2', {}, 'Responses'),
        table(['status', 'count'], Object.entries(data.statusCodes).map(([k, v]) => [k, num(v)])),
      ];
      if (Object.keys(data.errors).length) {
        parts.push(table(['error', 'count'], Object.entries(data.errors).map(([k, v]) => [k, num(v)])));
      }
      if (data.flow) {
        parts.push(el('h2', {}, `Journey: ${num(data.flow.iterations)} iterations · ${num(data.flow.users)} users`),
          table(['step', 'requests', 'requests/s', 'failed', 'p50', 'p95', 'p99'], data.flow.steps.map((st) => {
            const sl = st.latencyUs.lastSecond;
            return [st.name, num(st.requests), num(st.rps), num(st.failed), ms(sl.p50), ms(sl.p95), ms(sl.p99)];
          })));
      }
      details.replaceChildren(...parts);
      // An open-model run's p50 / p99 are corrected: its service p99 is drawn beside them.
      const service = lat.serviceLastSecond;
      points[0].push(data.elapsedSecs); points[1].push(data.rps);
      points[2].push(l.p50 / 1000); points[3].push(l.p99 / 1000);
      if (service) (points[4] = points[4] || []).push(service.p99 / 1000);
      if (!chart && typeof uPlot !== 'undefined') {
        const which = service ? 'corrected ' : '';
        const lines = [{ label: 's' }, { label: 'requests/s', stroke: '#2d6cdf', scale: 'rps' },
          { label: which + 'p50 ms', stroke: '#2f9e63' }, { label: which + 'p99 ms', stroke: '#c23b3b' }];
        if (service) lines.push({ label: 'service p99 ms', stroke: '#e08a1e', dash: [4, 3] });
        chart = new uPlot({ title: 'Last second', width: Math.min(app.clientWidth || 900, 1100), height: 240,
          scales: { x: { time: false } }, series: lines,
          axes: [{}, { scale: 'rps', label: 'req/s' }, { side: 1, label: 'ms', grid: { show: false } }] }, points, chartBox);
      } else if (chart) chart.setData(points);
    } else if (name === 'request') {
      runnerRow(details, data);
    } else if (name === 'complete') {
      route();
    }
  }, signal);
}

// A collection run's request as it ran (its `request` event), a row of the runner's table:
// name, iteration, status, time and each assertion, passed or failed.
function runnerRow(details, r) {
  let body = details.querySelector('#runner-table tbody');
  if (!body) {
    body = el('tbody', {});
    details.append(el('h2', {}, 'Requests'), el('table', { id: 'runner-table' },
      el('thead', {}, el('tr', {}, ...['request', 'iteration', 'status', 'time', 'assertions'].map((h) => el('th', {}, h)))), body));
  }
  const failed = (r.assertions || []).some((a) => !a.passed && !a.skipped) || (r.scriptErrors || []).length;
  const assertions = el('td', {}, ...(r.assertions || []).map((a) =>
    el('div', { class: a.skipped ? 'none' : a.passed ? 'ok' : 'fail' }, (a.skipped ? '– ' : a.passed ? '✓ ' : '✗ ') + a.name + (a.error ? ': ' + a.error : ''))),
  ...(r.scriptErrors || []).map((e) => el('div', { class: 'fail' }, e)));
  body.append(el('tr', { class: failed ? 'fail' : '' }, el('td', {}, r.name), el('td', {}, r.iteration + 1),
    el('td', {}, r.status === null || r.status === undefined ? (r.skipped ? 'skipped' : 'error') : r.status),
    el('td', {}, r.timeMs === null || r.timeMs === undefined ? '' : r.timeMs.toFixed(1) + ' ms'), assertions));
}

const heading = (run) => el('div', {}, el('h1', {}, 'Run ', run.id),
  el('p', { class: 'sub' }, el('span', { class: 'status ' + run.status, id: 'status' }, run.status), ' ', run.type));

// A finished run's report, drawn as its HTML report draws it, with the files to download.
async function finished(run, signal) {
  const id = run.id;
  const files = el('p', { class: 'files' });
  const file = (label, path, name) => files.append(el('button', { class: 'download', 'data-file': name, onclick: () => download(path, name).catch((e) => alert(e.message)) }, label), ' ');
  const report = el('div', { id: 'report' });
  if (run.type === 'load' && run.summary) {
    file('Download the HTML report', `/run/${encodeURIComponent(id)}/report.html`, `vayu-${id}.html`);
    file('JSON', `/run/${encodeURIComponent(id)}/report`, `vayu-${id}.json`);
    app.append(files, report);
    // The stored seconds, then the final report: the run's event stream replayed.
    const series = [];
    let final = null;
    await follow(id, (name, data) => {
      if (name === 'metrics') series.push({ t: data.timestamp, ...data.metrics, steps: data.steps });
      else if (name === 'complete') final = data;
    }, signal);
    window.vayuReport.load(report, { report: final || run.summary, series });
  } else if (run.type === 'collection' && run.summary && run.summary.executions) {
    file('Download the HTML report', `/run/${encodeURIComponent(id)}/report.html`, `vayu-${id}.html`);
    file('JUnit XML', `/run/${encodeURIComponent(id)}/junit`, `vayu-${id}.xml`);
    file('JSON', `/run/${encodeURIComponent(id)}/report`, `vayu-${id}.json`);
    app.append(files, report);
    window.vayuReport.collection(report, { run: run.summary });
  } else {
    // A design run, or a run that ended without a report.
    app.append(heading(run));
    if (run.error) app.append(el('p', { class: 'error' }, run.error));
    const summary = Object.fromEntries(Object.entries(run.summary || {}).filter(([k]) => !/istogram$/.test(k)));
    app.append(el('pre', {}, JSON.stringify(summary, null, 2)));
  }
}

// Selects the field the engine named (`config.targetRps`, `requests[2].url`) in the run
// file's text: each key of the path is looked for after the one before it.
function selectField(box, field) {
  let at = 0;
  let length = 0;
  for (const part of field.split('.')) {
    const key = JSON.stringify(part.replace(/\[\d+\]$/, ''));
    const pattern = new RegExp(key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\s*:', 'g');
    pattern.lastIndex = at;
    const found = pattern.exec(box.value);
    if (!found) break;
    at = found.index;
    length = key.length;
  }
  if (!length) return;
  box.focus();
  box.setSelectionRange(at, at + length);
}

async function newRun() {
  const text = el('textarea', { id: 'run-file', spellcheck: 'false' });
  text.value = JSON.stringify({ request: { url: 'http://127.0.0.1:8080/' }, config: { targetRps: 100, duration: '30s' } }, null, 2);
  const problem = el('p', {});
  // Edits the run file in the box with `change`; says so when the box holds no JSON.
  const edit = (change) => {
    problem.replaceChildren();
    let body;
    try { body = JSON.parse(text.value); } catch (e) {
      problem.append(el('span', { class: 'error' }, 'Not JSON: ' + e.message));
      return null;
    }
    if (change) {
      change(body);
      text.value = JSON.stringify(body, null, 2);
    }
    return body;
  };
  const start = el('button', { id: 'start', onclick: async () => {
    const body = edit();
    if (!body) return;
    try {
      const started = await api('POST', '/run', body);
      location.hash = '#/run/' + encodeURIComponent(started.runId);
    } catch (e) {
      problem.append(el('span', { class: 'error', id: 'run-error' }, (e.field ? e.field + ': ' : '') + e.message));
      if (e.field) selectField(text, e.field);
    }
  } }, 'Start');
  const [collections, environments] = await Promise.all([
    api('GET', '/collections').catch(() => ({ items: [] })),
    api('GET', '/environments').catch(() => ({ items: [] })),
  ]);
  // A saved collection, once through (Newman's run) or as the journey of a load test.
  const as = el('select', { id: 'collection-as' },
    el('option', { value: 'collection' }, 'as a collection run'), el('option', { value: 'load' }, 'as a load test\'s journey'));
  const collection = el('select', { id: 'collection' }, el('option', { value: '' }, 'a saved collection…'),
    ...(collections.items || []).filter((c) => !c.parentId).map((c) => el('option', { value: c.id }, c.name)));
  const useCollection = () => {
    if (!collection.value) return;
    const environmentId = environment.value || undefined;
    text.value = JSON.stringify(as.value === 'load'
      ? { flow: { collectionId: collection.value }, environmentId, config: { executor: 'constant-vus', vus: 2, duration: '30s' } }
      : { collectionId: collection.value, environmentId, iterations: 1 }, null, 2);
    problem.replaceChildren();
  };
  collection.addEventListener('change', useCollection);
  as.addEventListener('change', useCollection);
  const environment = el('select', { id: 'environment', onchange: () => edit((body) => {
    delete body.environment;
    if (environment.value) body.environmentId = environment.value; else delete body.environmentId;
  }) }, el('option', { value: '' }, 'no saved environment'),
  ...(environments.items || []).map((e) => el('option', { value: e.id }, e.name)));
  app.append(el('h1', {}, 'New run'),
    el('p', {}, 'A run file (docs/load.md) or a collection run; the engine checks it and names the field it refuses.'),
    el('div', { class: 'filters' }, collection, as, environment), text, el('p', {}, start), problem);
}

// Leaving the dashboard for the workbench: a live view's stream ends with it.
function leave() {
  if (leaving) leaving.abort();
  leaving = null;
}

export { route, leave };
