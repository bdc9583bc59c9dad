// Records what Newman does with the parity corpus (tests/parity/corpus.json) against a local
// httpbin: for each case, the response Newman received and every test's outcome and message.
// Writes tests/parity/newman.json, which tests/parity.rs replays through Vayu.
// Usage: node scripts/parity/record.mjs HTTPBIN_URL   (scripts/record-parity.sh sets it all up)
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const require = createRequire(join(execSync('npm root -g').toString().trim(), 'newman', 'package.json'));
const newman = require('newman');
const base = process.argv[2];
const root = new URL('../../', import.meta.url).pathname;
const corpus = JSON.parse(readFileSync(join(root, 'tests/parity/corpus.json'), 'utf8'));
const lines = (v) => (Array.isArray(v) ? v.join('\n') : v || '');
const scope = (values) => ({ values: Object.entries(values || {}).map(([key, value]) => ({ key, value, type: typeof value === 'string' ? 'default' : 'any' })) });

const collection = {
  info: { name: 'vayu parity corpus', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
  item: corpus.cases.map((c) => {
    const event = [];
    if (c.preRequest) event.push({ listen: 'prerequest', script: { exec: lines(c.preRequest).split('\n') } });
    if (c.test) event.push({ listen: 'test', script: { exec: lines(c.test).split('\n') } });
    return {
      name: c.name,
      event,
      request: {
        method: c.request.method || 'GET',
        url: base + c.request.path,
        header: Object.entries(c.request.headers || {}).map(([key, value]) => ({ key, value })),
        body: c.request.body === undefined ? undefined : { mode: 'raw', raw: c.request.body },
        auth: c.request.auth && c.request.auth.type === 'basic' ? {
          type: 'basic',
          basic: [{ key: 'username', value: c.request.auth.username }, { key: 'password', value: c.request.auth.password }],
        } : undefined,
      },
    };
  }),
};

const cases = corpus.cases.map((c) => ({ name: c.name, response: null, sent: [], tests: [], preRequestTests: [], console: [], errors: [] }));
// pm.info.requestId is the item's id; events name their item by its position in the run.
collection.item.forEach((item, i) => { item.id = 'case-' + i; });
const caseOf = (o) => cases[o.cursor.position];

newman.run({
  collection,
  // `base` lets pm.sendRequest calls reach the same server.
  environment: { name: 'parity', ...scope({ ...corpus.environment, base }) },
  globals: scope(corpus.globals),
  iterationData: corpus.data,
  reporters: [],
})
  .on('request', (err, o) => {
    if (err || !o.response) return;
    const recorded = {
      code: o.response.code,
      status: o.response.status,
      headers: o.response.headers.all().map((h) => [h.key, h.value]),
      body: o.response.text(),
    };
    // The item's own request, or one its scripts sent with pm.sendRequest (by its path).
    const c = caseOf(o);
    const path = o.request.url.getPath();
    if (o.request.url.toString() === collection.item[o.cursor.position].request.url) c.response = recorded;
    else c.sent.push({ path, response: recorded });
  })
  .on('assertion', (err, o) => {
    const c = caseOf(o);
    const list = o.cursor && c.response === null ? c.preRequestTests : c.tests;
    list.push({ name: o.assertion, passed: !err && !o.skipped, skipped: !!o.skipped, ...(err ? { error: err.message } : {}) });
  })
  // What the scripts logged (Postman's deprecation warnings for the legacy names among it).
  .on('console', (err, o) => {
    caseOf(o).console.push({ level: o.level, message: o.messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ') });
  })
  .on('script', (err, o) => {
    if (o.execution && o.execution.error) caseOf(o).errors.push({ event: o.event.listen, message: o.execution.error.message });
    else if (err) caseOf(o).errors.push({ event: o.event.listen, message: err.message });
  })
  .on('done', (err) => {
    if (err) throw err;
    for (const c of cases) {
      if (c.errors.length === 0) delete c.errors;
      if (c.sent.length === 0) delete c.sent;
      if (c.console.length === 0) delete c.console;
    }
    writeFileSync(join(root, 'tests/parity/newman.json'), JSON.stringify({ newman: require('newman/package.json').version, cases }, null, 1) + '\n');
    const n = cases.reduce((sum, c) => sum + c.tests.length + c.preRequestTests.length, 0);
    console.log(`recorded ${cases.length} cases, ${n} assertions`);
  });
