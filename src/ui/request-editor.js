// The request editor of the active tab: name and folder, method (any token) and URL (its
// `{{variables}}` marked, resolved from the active environment on hover and listed under it), then
// Params (synced with the URL) and path variables, Headers, Body (body-pane.js), Auth (inherited
// from the folder or its own), the two scripts in CodeMirror with `pm` completions, Settings
// (settings-pane.js) and, for a saved request, its Examples.
import { state, changed } from './state.js';
import { catalog, environment, folderPath, inheritedAuth } from './catalog.js';
import { KvBody } from './kv-table.js';
import { AuthFields } from './auth-form.js';
import { ExampleItems } from './examples.js';
import { BodyPane } from './body-pane.js';
import { SettingsPane } from './settings-pane.js';
import { CodeEditor } from './code-editor.js';
import { urlEdited, withParams, variablesIn, resolve } from './request-model.js';
import { html, mount, render, useEffect, useReducer, useRef, useState } from './components.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const SECTIONS = ['Params', 'Headers', 'Body', 'Auth', 'Pre-request', 'Tests', 'Settings', 'Examples'];
const section = {}; // the open section of each tab, by tab id

// The URL's path variables (`:name` segments), each with its value; the names follow the URL.
function PathTable({ m, touch }) {
  if (!m.pathVariables.length) return html`<p class="hint">Path variables: write :name in the path (/users/:id) to give it a value here.</p>`;
  return html`<div><h4>Path variables</h4><table class="kv" id="path-table"><tbody>${m.pathVariables.map((v) => html`<tr key=${v.key}>
    <th>:${v.key}</th><td><input type="text" class="value" placeholder="value" spellcheck=${false} value=${v.value}
      onInput=${(e) => { v.value = e.currentTarget.value; touch(); }} /></td></tr>`)}</tbody></table></div>`;
}

const SCRIPTS = {
  'Pre-request': ['preRequestScript', 'pre-request-editor', 'Runs before the request is built; it may set variables or pm.request fields.'],
  Tests: ['testScript', 'tests-editor', 'Runs on the response: pm.test(...), pm.expect(...), pm.environment.set(...).'],
};

// The open section's pane; `paramsEdited` writes the params back into the URL.
function SectionPane({ tab, name, touch, keys, paramsEdited }) {
  const m = tab.model;
  switch (name) {
    case 'Params':
      return html`<div><table class="kv" id="params-table"><${KvBody} rows=${m.params} onChange=${paramsEdited} /></table>
        <${PathTable} m=${m} touch=${touch} /></div>`;
    case 'Headers':
      return html`<table class="kv" id="headers-table"><${KvBody} rows=${m.headers} onChange=${touch} placeholder=${['header', 'value']} /></table>`;
    case 'Body': return html`<${BodyPane} m=${m} touch=${touch} keys=${keys} />`;
    case 'Auth':
      return html`<div id="auth-pane"><${AuthFields} a=${m.auth} touch=${touch} inherit=${!!tab.collectionId}
        inherited=${tab.collectionId && inheritedAuth(tab.collectionId)} /></div>`;
    case 'Settings': return html`<${SettingsPane} m=${m} touch=${touch} />`;
    case 'Examples':
      return tab.savedId ? html`<ul class="list" id="examples"><${ExampleItems} savedId=${tab.savedId} /></ul>`
        : html`<p class="hint">Save the request to keep responses with it as examples.</p>`;
    case 'Pre-request':
    case 'Tests': {
      const [field, id, hint] = SCRIPTS[name];
      return html`<div><${CodeEditor} key=${name} id=${id} doc=${m[field]} language="javascript" keys=${keys}
        onChange=${(text) => { m[field] = text; touch(); }} /><p class="hint">${hint}</p></div>`;
    }
    default: return '';
  }
}

// The variables the request uses, resolved from the active environment (an element: the
// workbench puts it in again after a Send, whose scripts may have set some).
export function variablesLine(tab) {
  const env = environment(state.environmentId);
  const vars = variablesIn(tab.model, env && env.variables);
  return mount('p', { class: 'variables', id: 'variables' }, vars.map((v) => html`<span class=${v.value === undefined ? 'var unresolved' : 'var'}
    title=${v.value === undefined ? 'no value in the active environment' : v.value}>{{${v.name}}}${v.value === undefined ? '' : ' = ' + v.value}</span>`));
}

// The folder picker's options from the catalog (again when it changes), `tab`'s selected.
export function folderOptions(select, tab) {
  render(html`<option value="">(no collection)</option>${catalog.collections.map((c) => html`<option value=${c.id}>${folderPath(c.id)}</option>`)}`, select);
  select.value = tab.collectionId || '';
}

// The URL in a one-line CodeMirror: its {{variables}} marked, resolved on hover, Enter sends.
// Made once; `edited(text)` on each edit. The element keeps it as `lineEditor`, for the
// workbench to refresh the marks when the environment changes.
function UrlField({ m, keys, send, edited, editor }) {
  const ref = useRef(null);
  useEffect(() => {
    const lookup = (name) => {
      const active = environment(state.environmentId);
      return active && active.variables && name in active.variables ? String(active.variables[name]) : undefined;
    };
    editor.current = window.vayuEditor.createLine(ref.current, {
      doc: m.url, lookup, hint: '{{base}}/path?query', keys: [...keys, { key: 'Enter', run: () => { send(); return true; } }], onChange: edited,
    });
    ref.current.lineEditor = editor.current;
  }, []);
  const env = environment(state.environmentId);
  return html`<div id="url" class="url-editor" ref=${ref} title=${resolve(m.url, env && env.variables)}></div>`;
}

// The variables line's slot: filled by hand (variablesLine) on each draw, as the workbench
// replaces the line by hand too.
function VariablesSlot({ tab }) {
  const ref = useRef(null);
  useEffect(() => { ref.current.replaceChildren(variablesLine(tab)); });
  const pickOne = !environment(state.environmentId) && /\{\{/.test(tab.model.url);
  return html`<div ref=${ref} title=${pickOne ? 'pick an environment in the header to resolve variables' : undefined}></div>`;
}

// The folder picker, filled by folderOptions (which the workbench calls again when the catalog
// changes).
function FolderPicker({ tab }) {
  const ref = useRef(null);
  useEffect(() => { folderOptions(ref.current, tab); }, []);
  return html`<select id="request-collection" title="the folder it is saved in" ref=${ref}
    onChange=${(e) => { tab.collectionId = e.currentTarget.value || null; changed('tab'); }}></select>`;
}

function Editor({ tab, actions, keys }) {
  const m = tab.model;
  const [, redraw] = useReducer((n) => n + 1, 0);
  const [current, setCurrent] = useState(section[tab.id] || 'Params');
  section[tab.id] = current;
  const urlEditor = useRef(null);
  const touch = () => { changed('tab'); redraw(); };
  // The URL typed: its params and path variables follow it (the params table redraws).
  const urlChanged = (text) => { urlEdited(m, text); touch(); };
  const paramsEdited = () => { m.url = withParams(m.url, m.params); urlEditor.current.text = m.url; touch(); };
  const headerCount = m.headers.filter((h) => h.enabled && h.key).length;
  return html`<datalist id="methods">${METHODS.map((x) => html`<option value=${x}></option>`)}</datalist>
    <div class="titlebar"><input type="text" id="request-name" value=${m.name} spellcheck=${false}
        onInput=${(e) => { m.name = e.currentTarget.value; changed('tab'); }} />
      <${FolderPicker} tab=${tab} />
      <button id="save" title="Ctrl/Cmd+S" onClick=${actions.save}>Save</button>
      <button id="copy-curl" title="the saved request as a curl command (save it first)" disabled=${!tab.savedId} onClick=${actions.copyAsCurl}>curl</button>
      <button id="load-test" title="a load test of this request" onClick=${actions.loadTest}>Load test</button></div>
    <div class="urlbar"><input type="text" id="method" list="methods" value=${m.method} spellcheck=${false} class="method-input"
        onInput=${(e) => { m.method = e.currentTarget.value.trim(); changed('tab'); }} />
      <${UrlField} m=${m} keys=${keys} send=${actions.send} edited=${urlChanged} editor=${urlEditor} />
      <button id="send" class="primary" title="Ctrl/Cmd+Enter" onClick=${actions.send}>Send</button></div>
    <${VariablesSlot} tab=${tab} />
    <nav class="subtabs" id="request-sections">${SECTIONS.map((s) => html`<button class=${s === current ? 'on' : ''} data-section=${s}
      onClick=${() => setCurrent(s)}>${s}${s === 'Headers' && headerCount ? ` (${headerCount})` : ''}</button>`)}</nav>
    <div class="section"><${SectionPane} key=${current} tab=${tab} name=${current} touch=${touch} keys=${keys} paramsEdited=${paramsEdited} /></div>`;
}

// Draws the editor of `tab` into `root`, anew (as before: a tab switch or another environment
// makes a new editor); `actions` has send, save and loadTest. What was in `root` goes first,
// whether drawn by Preact or by hand (the empty state).
export function requestEditor(root, tab, actions, keys) {
  render(null, root);
  root.replaceChildren();
  render(html`<${Editor} tab=${tab} actions=${actions} keys=${keys} />`, root);
}
