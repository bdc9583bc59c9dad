// Draws a load run's report into `root` from `data`: `report`, the run's final report, and
// `series`, its metrics second by second (as GET /run/{id}/report and the event stream give
// them). The HTML report page calls it on the data embedded in it (no network access:
// everything is in the file); the dashboard on what it fetched.
window.vayuReport = window.vayuReport || {};
window.vayuReport.load = function (root, data) {
  'use strict';
  const r = data.report;
  const series = data.series || [];

  const { el, table, ms, num } = window.vayuDom;
  const section = (title, ...content) => root.append(el('h2', {}, title), ...content);

  document.title = 'Vayu report ' + r.runId;
  root.append(
    el('h1', {}, 'Load run ', el('span', { id: 'run-id' }, r.runId)),
    el('p', { class: 'sub' }, el('span', { class: 'status ' + r.status, id: 'status' }, r.status),
      ` ${r.mode} model · ${r.executor || ''} · ${r.durationSecs.toFixed(2)} s`),
  );
  const latency = r.latencyUs.corrected || r.latencyUs.service;
  const card = (id, value, label) => el('div', { class: 'card' }, el('b', { id }, value), el('span', {}, label));
  root.append(el('div', { class: 'cards' },
    card('requests-sent', num(r.requestsSent), 'requests sent' + (r.requestsExpected ? ` of ${num(r.requestsExpected)}` : '')),
    card('achieved-rps', num(r.achievedRps), 'requests/s' + (r.targetRps ? ` (target ${num(r.targetRps)})` : '')),
    card('error-rate', (r.errorRate * 100).toFixed(2) + '%', `errors (${num(r.failed)} failed)`),
    card('p50', ms(latency.p50), 'p50' + (r.latencyUs.corrected ? ' (corrected)' : '')),
    card('p99', ms(latency.p99), 'p99' + (r.latencyUs.corrected ? ' (corrected)' : '')),
    card('dropped', num(r.dropped), 'dropped'),
  ));

  // One chart of `lines` ([label, point => value]) over the seconds that have any of them.
  const chart = (title, lines, unit) => {
    const points = series.filter((p) => lines.some(([, value]) => value(p) !== undefined));
    if (points.length < 2 || typeof uPlot === 'undefined') return;
    const t0 = points[0].t;
    const x = points.map((p) => (p.t - t0) / 1000);
    const colors = ['#2d6cdf', '#e08a1e', '#c23b3b', '#2f9e63', '#7a4cc2', '#5b6573'];
    const div = el('div', { class: 'chart' });
    root.append(div);
    new uPlot({
      title, width: Math.min(root.clientWidth || 900, 1100), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 's' }, { label: unit }],
      series: [{ label: 's' }, ...lines.map(([label], i) => ({ label, stroke: colors[i % colors.length], width: 1.5 }))],
    }, [x, ...lines.map(([, value]) => points.map((p) => value(p) ?? null))], div);
  };
  const metric = (name) => [name, (p) => p[name]];
  section('Over time');
  if (series.length < 2) {
    root.append(el('p', { class: 'none' }, 'Too short to chart: fewer than two seconds of metrics were recorded. The totals below are the whole run.'));
  }
  chart('Requests per second', [metric('rps')], 'req/s');
  chart('Latency (last second)', ['latency_p50', 'latency_p95', 'latency_p99'].map(metric), 'ms');
  chart('Errors', [metric('error_rate')], '%');
  if (r.flow) {
    chart('Steps: p95 (last second)', r.flow.steps.map((s) => [s.name, (p) => p.steps && p.steps[s.name] && p.steps[s.name].latency_p95]), 'ms');
  }

  const p = (x) => [x.min, x.p50, x.p90, x.p95, x.p99, x.p999, x.max].map(ms);
  const lat = [['service time', ...p(r.latencyUs.service)]];
  if (r.latencyUs.corrected) lat.unshift(['corrected (from intended send)', ...p(r.latencyUs.corrected)]);
  section('Latency', table(['', 'min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'], lat));

  section('Responses',
    table(['status', 'count'], Object.entries(r.statusCodes).map(([k, v]) => [k, num(v)])),
    r.errors.length ? table(['error', 'count', 'example'], r.errors.map((e) => [e.category, num(e.count), e.sample]))
      : el('p', { class: 'none' }, 'No transport errors.'));

  if (r.thresholds.length) {
    section('Thresholds', table(['threshold', 'actual', 'result'], r.thresholds.map((t) =>
      [t.threshold, t.actual, el('span', { class: 'status ' + (t.ok ? 'ok' : 'fail') }, t.ok ? 'ok' : 'failed')])));
  }
  if (r.tests && Object.keys(r.tests.tests).length) {
    section('Tests', table(['test', 'passed', 'failed', 'skipped'],
      Object.entries(r.tests.tests).map(([name, c]) => [name, num(c.passed), num(c.failed), num(c.skipped)])));
  }
  if (r.flow) {
    const f = r.flow;
    section('Journey',
      el('p', {}, `${num(f.iterations)} iterations · ${num(f.droppedIterations)} dropped · ${num(f.users)} users`),
      table(['step', 'requests', 'failed', 'p50', 'p95', 'p99'], f.steps.map((s) => {
        const l = s.latencyUs.corrected || s.latencyUs.service;
        return [s.name, num(s.requestsSent), num(s.failed), ms(l.p50), ms(l.p95), ms(l.p99)];
      })));
  }
  root.setAttribute('data-rendered', 'true');
};
