// The request editor of the active tab: name and folder, method (any token) and URL (its
// `{{variables}}` marked, resolved from the active environment on hover and listed under it), then
// Params (synced with the URL) and path variables, Headers, Body (none, raw with a language, JSON
// checked as you type, urlencoded, form-data with files, GraphQL query and variables, a file),
// Auth (inherited from the folder or its own), the two scripts in CodeMirror with `pm`
// completions, Settings (timeout, redirects, TLS verification, HTTP version) and, for a saved
// request, its Examples.
import { state, changed } from './state.js';
import { catalog, environment, folderPath, inheritedAuth } from './catalog.js';
import { kvTable } from './kv-table.js';
import { authForm } from './auth-form.js';
import { fileField, formDataTable } from './file-field.js';
import { examplesSection } from './examples.js';
import { HTTP_VERSIONS, SETTINGS, setBodyMode, urlEdited, withParams, variablesIn, resolve } from './request-model.js';

const { el } = window.vayuDom;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const SECTIONS = ['Params', 'Headers', 'Body', 'Auth', 'Pre-request', 'Tests', 'Settings', 'Examples'];
const section = {}; // the open section of each tab, by tab id

// Code editors created for the pane on show; `keys` are the page's shortcuts, which must work
// inside an editor too.
function codeEditor(doc, language, onChange, keys) {
  const box = el('div', { class: 'code' });
  const editor = window.vayuEditor.create(box, { doc, language, onChange, keys });
  return { box, editor };
}

function bodyPane(tab, touch, keys) {
  const m = tab.model;
  const pane = el('div', { id: 'body-pane' });
  const mode = (value, label) => {
    const radio = el('input', { type: 'radio', name: 'body-mode', value, id: 'body-' + value });
    radio.checked = m.bodyMode === value;
    radio.addEventListener('change', () => { setBodyMode(m, value); touch(); draw(); });
    return el('label', {}, radio, ' ', label);
  };
  const language = el('select', { id: 'raw-language' }, ...['text', 'javascript', 'json', 'html', 'xml']
    .map((l) => el('option', { value: l }, l)));
  language.value = m.rawLanguage;
  language.addEventListener('change', () => { setBodyMode(m, 'raw', language.value); touch(); draw(); });
  const modes = el('div', { class: 'modes' }, mode('none', 'none'), mode('raw', 'raw'), mode('json', 'JSON'), mode('urlencoded', 'x-www-form-urlencoded'),
    mode('formdata', 'form-data'), mode('graphql', 'GraphQL'), mode('binary', 'file'), language);
  const content = el('div', {});
  const problem = el('p', { class: 'json-problem', id: 'json-problem' });
  const check = () => {
    problem.textContent = '';
    if (m.bodyMode !== 'json' || !m.bodyText.trim()) return;
    // {{variables}} outside strings are valid once substituted: checked as if they were numbers.
    try { JSON.parse(m.bodyText.replace(/\{\{[^{}]+\}\}/g, '0')); } catch (e) { problem.textContent = 'Not JSON: ' + e.message; }
  };
  const draw = () => {
    language.hidden = m.bodyMode !== 'raw';
    content.replaceChildren();
    if (m.bodyMode === 'raw' || m.bodyMode === 'json') {
      const lang = m.bodyMode === 'json' ? 'json' : m.rawLanguage;
      const code = codeEditor(m.bodyText, lang, (text) => { m.bodyText = text; touch(); check(); }, keys);
      code.box.id = 'body-editor';
      content.append(code.box, problem);
      check();
    } else if (m.bodyMode === 'graphql') {
      m.graphql = m.graphql || { query: '', variables: '' };
      const query = codeEditor(m.graphql.query, 'text', (text) => { m.graphql.query = text; touch(); }, keys);
      const variables = codeEditor(m.graphql.variables, 'json', (text) => { m.graphql.variables = text; touch(); }, keys);
      query.box.id = 'graphql-query';
      variables.box.id = 'graphql-variables';
      content.append(el('div', { class: 'graphql' }, el('div', {}, el('small', {}, 'query'), query.box), el('div', {}, el('small', {}, 'variables (JSON)'), variables.box)));
    } else if (m.bodyMode === 'urlencoded') {
      content.append(kvTable(m.form, touch, { id: 'form-table' }));
    } else if (m.bodyMode === 'formdata') {
      m.formData = m.formData || [];
      content.append(formDataTable(m.formData, touch), el('p', { class: 'hint' }, 'Sent as multipart/form-data; the engine writes the boundary.'));
    } else if (m.bodyMode === 'binary') {
      content.append(fileField(m.bodyFile, (file) => { m.bodyFile = file; touch(); }, 'body-file'),
        el('p', { class: 'hint' }, "The file's bytes, as they are, with its type unless a Content-Type header is set."));
    } else content.append(el('p', { class: 'hint' }, 'This request has no body.'));
  };
  draw();
  pane.append(modes, content);
  return pane;
}

// The URL's path variables (`:name` segments), each with its value; the names follow the URL.
function pathTable(m, touch) {
  if (!m.pathVariables.length) return el('p', { class: 'hint' }, 'Path variables: write :name in the path (/users/:id) to give it a value here.');
  return el('div', {}, el('h4', {}, 'Path variables'), el('table', { class: 'kv', id: 'path-table' }, el('tbody', {}, ...m.pathVariables.map((v) => {
    const value = el('input', { type: 'text', class: 'value', placeholder: 'value', spellcheck: 'false', value: v.value });
    value.addEventListener('input', () => { v.value = value.value; touch(); });
    return el('tr', {}, el('th', {}, ':' + v.key), el('td', {}, value));
  }))));
}

// Timeout, redirects, TLS verification and HTTP version. What is not given is the engine's
// default (shown); a field cleared, or "engine default" picked, gives it up again.
function settingsPane(m, touch) {
  const st = m.settings;
  const set = (key, value) => { if (value === '' || value === null) delete st[key]; else st[key] = value; touch(); };
  const text = (key, hint) => {
    const input = el('input', { type: 'text', id: 'settings-' + key, placeholder: hint, spellcheck: 'false', value: key in st ? String(st[key]) : '' });
    input.addEventListener('input', () => set(key, input.value.trim()));
    return input;
  };
  // A box set back to the default is not given any more, unless the request gave it.
  const flag = (key, id, inverted = false) => {
    const box = el('input', { type: 'checkbox', id });
    const given = key in st;
    const value = given ? st[key] : SETTINGS[key];
    box.checked = inverted ? !value : value;
    box.addEventListener('change', () => {
      const now = inverted ? !box.checked : box.checked;
      set(key, now === SETTINGS[key] && !given ? null : now);
    });
    return box;
  };
  const version = el('select', { id: 'settings-http-version' }, el('option', { value: '' }, 'engine default (HTTP/2 over TLS when offered)'),
    ...HTTP_VERSIONS.filter(Boolean).map((v) => el('option', { value: v }, v)));
  version.value = st.httpVersion || '';
  version.addEventListener('change', () => set('httpVersion', version.value));
  return el('div', { class: 'form', id: 'settings-pane' },
    el('label', {}, 'Timeout (ms, or 2s, 1m; 0: none) ', text('timeout', '30s')),
    el('label', { class: 'check' }, flag('followRedirects', 'settings-follow-redirects'), ' follow redirects'),
    el('label', {}, 'At most (redirects) ', text('maxRedirects', '10')),
    el('label', { class: 'check' }, flag('followOriginalHttpMethod', 'settings-keep-method'), ' keep the method and body on 301/302/303'),
    el('label', { class: 'check' }, flag('insecure', 'settings-verify-tls', true), ' verify TLS certificates'),
    el('label', {}, 'HTTP version ', version));
}

function sectionPane(tab, name, touch, keys, redrawUrl) {
  const m = tab.model;
  switch (name) {
    case 'Params':
      return el('div', {}, kvTable(m.params, () => { m.url = withParams(m.url, m.params); redrawUrl(); touch(); }, { id: 'params-table' }),
        pathTable(m, touch));
    case 'Headers':
      return kvTable(m.headers, touch, { id: 'headers-table', placeholder: ['header', 'value'] });
    case 'Body': return bodyPane(tab, touch, keys);
    case 'Auth': return authForm(m.auth, touch, { inherit: !!tab.collectionId, inherited: tab.collectionId && inheritedAuth(tab.collectionId) });
    case 'Settings': return settingsPane(m, touch);
    case 'Examples': return examplesSection(tab);
    case 'Pre-request':
    case 'Tests': {
      const field = name === 'Tests' ? 'testScript' : 'preRequestScript';
      const code = codeEditor(m[field], 'javascript', (text) => { m[field] = text; touch(); }, keys);
      code.box.id = name === 'Tests' ? 'tests-editor' : 'pre-request-editor';
      return el('div', {}, code.box, el('p', { class: 'hint' }, name === 'Tests'
        ? 'Runs on the response: pm.test(...), pm.expect(...), pm.environment.set(...).'
        : 'Runs before the request is built; it may set variables or pm.request fields.'));
    }
    default: return '';
  }
}

// The variables the request uses, resolved from the active environment (drawn again after a
// Send, whose scripts may have set some).
export function variablesLine(tab) {
  const env = environment(state.environmentId);
  const vars = variablesIn(tab.model, env && env.variables);
  return el('p', { class: 'variables', id: 'variables' }, ...vars.map((v) => el('span', {
    class: v.value === undefined ? 'var unresolved' : 'var', title: v.value === undefined ? 'no value in the active environment' : v.value,
  }, '{{' + v.name + '}}', v.value === undefined ? '' : ' = ' + v.value)));
}

// The folder picker's options from the catalog (again when it changes), `tab`'s selected.
export function folderOptions(select, tab) {
  select.replaceChildren(el('option', { value: '' }, '(no collection)'),
    ...catalog.collections.map((c) => el('option', { value: c.id }, folderPath(c.id))));
  select.value = tab.collectionId || '';
}

// Draws the editor of `tab` into `root`; `actions` has send, save and loadTest.
export function requestEditor(root, tab, actions, keys) {
  const m = tab.model;
  const title = el('input', { type: 'text', id: 'request-name', value: m.name, spellcheck: 'false' });
  const folder = el('select', { id: 'request-collection', title: 'the folder it is saved in' });
  folderOptions(folder, tab);
  const method = el('input', { type: 'text', id: 'method', list: 'methods', value: m.method, spellcheck: 'false', class: 'method-input' });
  // The URL in a one-line CodeMirror: its {{variables}} marked, resolved on hover, Enter sends.
  const url = el('div', { id: 'url', class: 'url-editor' });
  const lookup = (name) => {
    const active = environment(state.environmentId);
    return active && active.variables && name in active.variables ? String(active.variables[name]) : undefined;
  };
  const urlEditor = window.vayuEditor.createLine(url, {
    doc: m.url, lookup, hint: '{{base}}/path?query', keys: [...keys, { key: 'Enter', run: () => { actions.send(); return true; } }],
    onChange: (text) => {
      urlEdited(m, text);
      touch();
      if ((section[tab.id] || 'Params') === 'Params') show('Params');
    },
  });
  url.lineEditor = urlEditor;
  const vars = el('div', {});
  const env = environment(state.environmentId);
  const redrawVars = () => {
    vars.replaceChildren(variablesLine(tab));
    url.title = resolve(m.url, environment(state.environmentId) && environment(state.environmentId).variables);
  };
  const touch = () => { changed('tab'); redrawVars(); };
  const pane = el('div', { class: 'section' });
  const tabs = el('nav', { class: 'subtabs', id: 'request-sections' });
  const show = (name) => {
    section[tab.id] = name;
    tabs.replaceChildren(...SECTIONS.map((s) => el('button', { class: s === name ? 'on' : '', 'data-section': s, onclick: () => show(s) }, s,
      s === 'Headers' && m.headers.filter((h) => h.enabled && h.key).length ? ` (${m.headers.filter((h) => h.enabled && h.key).length})` : '')));
    pane.replaceChildren(sectionPane(tab, name, touch, keys, () => { urlEditor.text = m.url; }));
  };
  title.addEventListener('input', () => { m.name = title.value; changed('tab'); });
  folder.addEventListener('change', () => { tab.collectionId = folder.value || null; changed('tab'); });
  method.addEventListener('input', () => { m.method = method.value.trim(); changed('tab'); });
  const copyCurl = el('button', { id: 'copy-curl', title: 'the saved request as a curl command (save it first)', onclick: actions.copyAsCurl }, 'curl');
  copyCurl.disabled = !tab.savedId;
  root.replaceChildren(
    el('datalist', { id: 'methods' }, ...METHODS.map((x) => el('option', { value: x }))),
    el('div', { class: 'titlebar' }, title, folder,
      el('button', { id: 'save', title: 'Ctrl/Cmd+S', onclick: actions.save }, 'Save'),
      copyCurl,
      el('button', { id: 'load-test', title: 'a load test of this request', onclick: actions.loadTest }, 'Load test')),
    el('div', { class: 'urlbar' }, method, url, el('button', { id: 'send', class: 'primary', title: 'Ctrl/Cmd+Enter', onclick: actions.send }, 'Send')),
    vars, tabs, pane);
  redrawVars();
  show(section[tab.id] || 'Params');
  if (!env && /\{\{/.test(m.url)) vars.title = 'pick an environment in the header to resolve variables';
}

