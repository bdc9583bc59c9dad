// Draws a collection run's report into `root` from `data`: `run`, the run's summary as the json
// reporter writes it (Newman's counts, executions and failures; GET /run/{id}/report). The
// HTML report page calls it on the data embedded in it; the dashboard on what it fetched.
window.vayuReport = window.vayuReport || {};
window.vayuReport.collection = function (root, data) {
  'use strict';
  const run = data.run;
  const { el, table } = window.vayuDom;
  const section = (title, ...content) => root.append(el('h2', {}, title), ...content);
  const passed = run.failures.length === 0;

  document.title = 'Vayu report ' + run.collection.name;
  root.append(
    el('h1', {}, 'Collection run ', el('span', { id: 'collection' }, run.collection.name)),
    el('p', { class: 'sub' }, el('span', { class: 'status ' + (passed ? 'ok' : 'fail'), id: 'status' }, passed ? 'passed' : 'failed'),
      ` ${new Date(run.started).toLocaleString()} · ${((run.completed - run.started) / 1000).toFixed(2)} s` + (run.stopped ? ` · stopped: ${run.stopped}` : '')),
  );
  const s = run.stats;
  section('Summary', table(['', 'executed', 'failed'], [
    ['iterations', s.iterations.total, s.iterations.failed],
    ['requests', s.requests.total, s.requests.failed],
    ['test scripts', s.testScripts.total, s.testScripts.failed],
    ['pre-request scripts', s.prerequestScripts.total, s.prerequestScripts.failed],
    ['assertions', s.assertions.total, s.assertions.failed],
  ]), el('p', {}, `response time: average ${run.responseTime.average.toFixed(1)} ms · min ${run.responseTime.min} ms · max ${run.responseTime.max} ms · sd ${run.responseTime.sd.toFixed(1)} ms`));

  section('Failures', run.failures.length
    ? table(['#', 'kind', 'where', 'test', 'message', 'iteration'],
      run.failures.map((f, i) => [i + 1, f.kind, f.source + ' (' + f.at + ')', f.test, f.message, f.iteration + 1]))
    : el('p', { class: 'none', id: 'no-failures' }, 'None: every request answered and every assertion passed.'));

  const assertions = (e) => [...(e.preRequest || []), ...(e.test || [])].flatMap((o) => o.tests || []);
  section('Requests', table(['iteration', 'request', 'method', 'url', 'status', 'time', 'assertions'],
    run.executions.map((e) => {
      const tests = assertions(e);
      const failed = tests.filter((t) => !t.passed && !t.skipped);
      return [e.iteration + 1, e.fullName, e.request ? e.request.method : '', e.request ? e.request.url : '',
        e.response ? e.response.status : (e.error ? e.error.category : (e.skipped ? 'skipped' : '')),
        e.response ? (e.response.timings.total / 1000).toFixed(1) + ' ms' : '',
        el('span', { class: 'status ' + (failed.length ? 'fail' : 'ok') },
          `${tests.length - failed.length}/${tests.length}` + (failed.length ? ' · ' + failed.map((t) => t.name).join(', ') : ''))];
    })));
  root.setAttribute('data-rendered', 'true');
};
