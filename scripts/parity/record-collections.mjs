// Records what Newman does with the collection corpus (tests/collections/manifest.json) against
// a local httpbin: every request execution in order (the request as sent, the response as
// received), every assertion's outcome and message, and every script error. Writes
// tests/collections/newman/<name>.json, which tests/collections.rs replays through Vayu.
// Usage: node scripts/parity/record-collections.mjs HTTPBIN_URL [NAME...] (scripts/record-parity.sh);
// with names, only those entries are recorded again.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const require = createRequire(join(execSync('npm root -g').toString().trim(), 'newman', 'package.json'));
const newman = require('newman');
const base = process.argv[2];
const dir = join(new URL('../../', import.meta.url).pathname, 'tests/collections');
const only = process.argv.slice(3);
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
  .filter((entry) => !only.length || only.includes(entry.name));
const scope = (values) => ({ values: Object.entries(values || {}).map(([key, value]) => ({ key, value })) });
const strip = (url) => (url.startsWith(base) ? url.slice(base.length) : url);

// The responses a request was redirected from, and the request that followed each, from the
// request's history (kept with `verbose`): replayed before the final response.
const headerPairs = (list) => (list || []).map((h) => [h.key, String(h.value)]);
function redirectsOf(history) {
  const data = (history && history.execution && history.execution.data) || [];
  return data.slice(0, -1).map((hop, i) => {
    const location = headerPairs(hop.response.headers).map(([k, v]) => k.toLowerCase() === 'location' && v).find(Boolean);
    return {
      reply: {
        code: hop.response.statusCode,
        status: hop.response.statusMessage || '',
        headers: headerPairs(hop.response.headers).map(([k, v]) => [k, k.toLowerCase() === 'location' ? strip(v) : v]),
        body: '',
      },
      location: location ? strip(location) : null,
      next: {
        method: data[i + 1].request.method,
        path: strip(data[i + 1].request.href),
        headers: headerPairs(data[i + 1].request.headers),
      },
    };
  });
}
function run(entry) {
  const redirects = new Map();
  // Each request Newman sent, per item and iteration, in order: an auth that replays its
  // request (digest's 401 challenge) sends two, which Newman's summary lists as two executions
  // that both show the last request and response.
  const sent = new Map();
  return new Promise((resolve, reject) => {
    const env = { ...(entry.environment || {}), baseUrl: base };
    // Files are given to Newman by path, so it reads them itself (encodings, shapes); an
    // environment file gets baseUrl as --env-var would set it.
    newman.run({
      collection: join(dir, entry.collection),
      environment: entry.environmentFile ? join(dir, entry.environmentFile) : scope(env),
      envVar: entry.environmentFile ? [{ key: 'baseUrl', value: base }] : undefined,
      globals: entry.globalsFile ? join(dir, entry.globalsFile) : scope(entry.globals),
      iterationData: entry.iterationData && join(dir, entry.iterationData),
      iterationCount: entry.iterationCount,
      folder: entry.folder,
      bail: entry.bail,
      delayRequest: entry.delayRequest,
      workingDir: dir,
      reporters: [],
      verbose: true,
    }, (err, summary) => {
      if (err) return reject(err);
      const seen = new Map();
      const count = new Map();
      for (const e of summary.run.executions) {
        const key = e.cursor.ref + ':' + e.cursor.iteration;
        count.set(key, (count.get(key) || 0) + 1);
      }
      const executions = summary.run.executions.map((e) => {
        const key = e.cursor.ref + ':' + e.cursor.iteration;
        const k = seen.get(key) || 0;
        seen.set(key, k + 1);
        if (count.get(key) < 2) return e;
        // A replayed request: this attempt's own request and response; its scripts ran once,
        // after the last attempt.
        const own = (sent.get(key) || [])[k] || {};
        const last = k === count.get(key) - 1;
        return { ...e, request: own.request || e.request, response: own.response || e.response,
          assertions: last ? e.assertions : [], prerequestScript: k === 0 ? e.prerequestScript : [],
          testScript: last ? e.testScript : [] };
      }).map((e) => ({
        name: e.item.name,
        iteration: e.cursor.iteration,
        skipped: !e.request && !e.requestError,
        request: e.request && {
          method: e.request.method,
          path: strip(e.request.url.toString()),
          headers: e.request.headers.all().filter((h) => !h.disabled).map((h) => [h.key, String(h.value)]),
          body: e.request.body ? e.request.body.toString() : '',
        },
        redirects: redirects.get(e.cursor.ref + ':' + e.cursor.iteration) || [],
        requestError: Boolean(e.requestError),
        response: e.response && {
          code: e.response.code,
          status: e.response.status,
          headers: e.response.headers.all().map((h) => [h.key, h.value]),
          body: e.response.stream ? e.response.stream.toString() : '',
        },
        assertions: (e.assertions || []).map((a) => ({
          name: a.assertion,
          passed: !a.error && !a.skipped,
          skipped: Boolean(a.skipped),
          error: a.error ? a.error.message : null,
        })),
        scriptErrors: [...(e.prerequestScript || []), ...(e.testScript || [])].filter((s) => s.error).length,
      }));
      resolve({
        name: entry.name,
        newman: require('newman/package.json').version,
        executions,
        failures: summary.run.failures.length,
      });
    }).on('request', (err, o) => {
      const key = o.cursor.ref + ':' + o.cursor.iteration;
      if (!sent.has(key)) sent.set(key, []);
      sent.get(key).push({ request: o.request, response: o.response });
      const hops = redirectsOf(o.history);
      if (hops.length) redirects.set(o.cursor.ref + ':' + o.cursor.iteration, hops);
    });
  });
}

mkdirSync(join(dir, 'newman'), { recursive: true });
for (const entry of manifest) {
  const recording = await run(entry);
  writeFileSync(join(dir, 'newman', `${entry.name}.json`), JSON.stringify(recording, null, 1) + '\n');
  console.log(`${entry.name}: ${recording.executions.length} executions, ${recording.failures} failures`);
}
