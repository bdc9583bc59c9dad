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

test('path variables follow the URL and keep their values', () => {
  const m = M.blank();
  M.urlEdited(m, 'http://h:8080/users/:id/orders/:order?x=1');
  assert.deepEqual(m.pathVariables.map((v) => v.key), ['id', 'order'], 'the port is not a variable');
  assert.deepEqual(M.pathNames('{{base}}/files/:name@v2/a:b/:/x?q=:no#:no'), ['name@v2'], 'a whole segment, as the engine reads it');
  assert.deepEqual(M.pathNames('/users/:id'), ['id']);
  m.pathVariables[0].value = '{{userId}}';
  M.urlEdited(m, 'http://h:8080/users/:id');
  assert.deepEqual(m.pathVariables.map((v) => [v.key, v.value]), [['id', '{{userId}}']]);
  assert.deepEqual(M.toSpec(m).pathVariables, { id: '{{userId}}' });
  assert.deepEqual(M.fromRequest(M.toSaved(m)).pathVariables.map((v) => [v.key, v.value]), [['id', '{{userId}}']]);
});

test('form-data and a file body are fields of their own, with no Content-Type row', () => {
  const m = M.blank();
  M.setBodyMode(m, 'json');
  M.setBodyMode(m, 'formdata');
  assert.deepEqual(m.headers, [], 'the engine writes the multipart boundary');
  const file = { name: 'a.png', contentType: 'image/png', base64: 'iVBORw0=' };
  m.formData = [{ ...M.row('note', 'hi'), type: 'text', file: null, contentType: 'text/x-note' }, { ...M.row('pic', ''), type: 'file', file },
    { ...M.row('off', 'x', false), type: 'text', file: null }, { ...M.row('nofile', ''), type: 'file', file: null }];
  const spec = M.toSpec(m);
  assert.equal(spec.body, undefined);
  assert.deepEqual(spec.formData, [{ key: 'note', value: 'hi', contentType: 'text/x-note' }, { key: 'pic', file }, { key: 'off', value: 'x', disabled: true }]);
  const back = M.fromRequest(M.toSaved(m));
  assert.equal(back.bodyMode, 'formdata');
  assert.deepEqual(back.formData.map((r) => [r.key, r.type, r.enabled, r.contentType]),
    [['note', 'text', true, 'text/x-note'], ['pic', 'file', true, ''], ['off', 'text', false, '']]);
  M.setBodyMode(m, 'binary');
  m.bodyFile = file;
  assert.deepEqual(M.toSaved(m).bodyFile, file);
  assert.equal(M.toSaved(m).formData, undefined);
  assert.equal(M.fromRequest(M.toSaved(m)).bodyMode, 'binary');
  // A large upload the history kept without its bytes reads back as no file chosen.
  assert.equal(M.fromRequest({ url: 'u', bodyFile: { name: 'big.bin', base64: '', omitted: true } }).bodyFile, null);
  assert.equal(M.fromRequest({ url: 'u', formData: [{ key: 'f', file: { name: 'big.bin', base64: '', omitted: true } }] }).formData[0].file, null);
  assert.deepEqual(M.fromRequest({ url: 'u', bodyFile: { name: 'empty.txt', base64: '' } }).bodyFile, { name: 'empty.txt', base64: '' }, 'an empty file is a file');
});

test('settings: only those given are sent, flat in a spec, as one object when saved', () => {
  const m = M.blank();
  assert.equal(M.toSaved(m).settings, undefined, 'none given: the engine defaults');
  m.settings = { followRedirects: false, insecure: true, timeout: '1500', httpVersion: '1.1', maxRedirects: '' };
  const spec = M.toSpec(m);
  assert.deepEqual([spec.followRedirects, spec.insecure, spec.timeout, spec.httpVersion, spec.maxRedirects], [false, true, 1500, '1.1', undefined]);
  const saved = M.toSaved(m);
  assert.deepEqual(saved.settings, { timeout: 1500, followRedirects: false, insecure: true, httpVersion: '1.1' });
  assert.deepEqual(M.fromRequest(saved).settings, saved.settings);
  assert.equal(M.fromRequest(spec).settings.timeout, 1500, 'a design run spec reads back too');
  // A duration as typed, and a default given on purpose (an override of a folder's), are kept.
  const kept = M.fromRequest({ url: 'u', settings: { timeout: '2s', followRedirects: true } });
  assert.deepEqual(M.toSaved(kept).settings, { timeout: '2s', followRedirects: true });
});

test('auth: inherit in a collection, no auth said as noauth, and what PUT takes back', () => {
  const m = M.fromRequest({ name: 'n', url: 'http://h/', collectionId: 'col_1', auth: null });
  assert.equal(m.auth.type, 'inherit');
  assert.equal(M.toSaved(m, 'col_1').auth, null);
  assert.deepEqual(M.toSpec(m, { type: 'bearer', token: 't' }).auth, { type: 'bearer', token: 't' });
  assert.equal(M.toSpec(m, { type: 'noauth' }).auth, undefined);
  m.auth = { type: 'none' };
  assert.deepEqual(M.toSaved(m, 'col_1').auth, { type: 'noauth' });
  assert.equal(M.toSaved(m, null).auth, null);
  assert.equal(M.fromRequest({ url: 'http://h/', collectionId: 'c', auth: { type: 'noauth' } }).auth.type, 'none');
  const saved = { id: 'req_1', updatedAt: 1, curl: 'curl', examples: [], inheritedAuth: null, name: 'n', url: 'u', settings: { timeout: 1 } };
  assert.deepEqual(M.writable(saved), { name: 'n', url: 'u', settings: { timeout: 1 } });
});
