// The Manager's request model (src/ui/request-model.js) under Node's test runner: the params
// table and the URL follow each other, and a body's mode, its fields and the auth come back
// from what is saved. Run by scripts/check-ui.sh before the browser session.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

// Imported from its text: a .js file outside a "type": "module" package is CommonJS to Node 18.
const source = await readFile(new URL('../../src/ui/request-model.js', import.meta.url), 'utf8');
const M = await import('data:text/javascript,' + encodeURIComponent(source));

test('the params follow the URL and the URL follows the params', () => {
  const m = M.blank();
  M.urlEdited(m, '{{base}}/a?x=1&y={{v}}');
  assert.deepEqual(m.params.map((p) => [p.key, p.value]), [['x', '1'], ['y', '{{v}}']]);
  m.params[0].enabled = false;
  m.url = M.withParams(m.url, m.params);
  assert.equal(m.url, '{{base}}/a?y={{v}}');
  M.urlEdited(m, m.url + '&z');
  assert.deepEqual(m.params.map((p) => [p.key, p.enabled]), [['y', true], ['z', true], ['x', false]], 'a disabled row stays');
});

test('every body mode comes back from what is saved, by its Content-Type', () => {
  const m = M.blank();
  M.setBodyMode(m, 'graphql');
  m.graphql = { query: 'query { a }', variables: '{"id": {{id}}}' };
  assert.equal(M.toSpec(m).body, '{"query":"query { a }","variables":{"id": {{id}}}}');
  assert.deepEqual(M.fromRequest(M.toSaved(m)).graphql, m.graphql, 'a variable outside a string');
  M.setBodyMode(m, 'urlencoded');
  m.form = [M.row('a b', 'c&d'), M.row('{{k}}', 'v')];
  const saved = M.toSaved(m);
  assert.equal(saved.body, 'a%20b=c%26d&{{k}}=v');
  assert.deepEqual(saved.headers, [{ key: 'Content-Type', value: 'application/x-www-form-urlencoded' }], 'one Content-Type, replaced');
  assert.deepEqual(M.fromRequest(saved).form.map((r) => [r.key, r.value]), [['a b', 'c&d'], ['{{k}}', 'v']]);
  M.setBodyMode(m, 'raw', 'xml');
  m.bodyText = '<a/>';
  assert.deepEqual([M.fromRequest(M.toSaved(m)).bodyMode, M.fromRequest(M.toSaved(m)).rawLanguage], ['raw', 'xml']);
  M.setBodyMode(m, 'json');
  m.bodyText = '{"a": {{n}}}';
  assert.equal(M.fromRequest(M.toSaved(m)).bodyMode, 'json');
  M.setBodyMode(m, 'none');
  assert.equal(M.toSaved(m).body, null);
  assert.deepEqual(M.toSaved(m).headers, []);
  assert.equal(M.fromRequest({ url: 'http://h/', body: { a: 1 } }).bodyText, '{\n  "a": 1\n}', 'a JSON value as the run file writes it');
});

test('auth, scripts and variables', () => {
  const m = M.fromRequest({ name: 'n', method: 'PUT', url: '{{base}}/x', headers: { 'X-A': '1' }, testScript: ['a();', 'b();'],
    auth: { type: 'apikey', key: 'k', value: '{{secret}}', in: 'query' } });
  assert.deepEqual(M.toSpec(m), { name: 'n', method: 'PUT', url: '{{base}}/x', headers: [{ key: 'X-A', value: '1' }],
    auth: { type: 'apikey', key: 'k', value: '{{secret}}', in: 'query' }, testScript: 'a();\nb();' });
  assert.equal(M.toSaved(m).postRequestScript, 'a();\nb();');
  assert.deepEqual(M.variablesIn(m, { base: 'http://h' }), [{ name: 'base', value: 'http://h' }, { name: 'secret', value: undefined }]);
  assert.equal(M.resolve('{{base}}/{{nope}}', { base: 'http://h' }), 'http://h/{{nope}}');
});
