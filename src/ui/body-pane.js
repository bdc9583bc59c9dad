// The request's body: none, raw with a language, JSON checked as you type, urlencoded,
// form-data with files, GraphQL query and variables, or a file.
import { setBodyMode } from './request-model.js';
import { KvBody } from './kv-table.js';
import { FileField, FormDataBody } from './file-field.js';
import { CodeEditor } from './code-editor.js';
import { html } from './components.js';

const MODES = [['none', 'none'], ['raw', 'raw'], ['json', 'JSON'], ['urlencoded', 'x-www-form-urlencoded'],
  ['formdata', 'form-data'], ['graphql', 'GraphQL'], ['binary', 'file']];
const LANGUAGES = ['text', 'javascript', 'json', 'html', 'xml'];

// Why a JSON body does not parse; {{variables}} outside strings are valid once substituted, so
// they are checked as if they were numbers.
function jsonProblem(m) {
  if (m.bodyMode !== 'json' || !m.bodyText.trim()) return '';
  try { JSON.parse(m.bodyText.replace(/\{\{[^{}]+\}\}/g, '0')); } catch (e) { return 'Not JSON: ' + e.message; }
  return '';
}

// The fields of the mode picked for model `m`; `touch()` after each edit redraws the editor.
function Content({ m, touch, keys }) {
  if (m.bodyMode === 'raw' || m.bodyMode === 'json') {
    const language = m.bodyMode === 'json' ? 'json' : m.rawLanguage;
    return html`<${CodeEditor} key=${language} id="body-editor" doc=${m.bodyText} language=${language} keys=${keys}
      onChange=${(text) => { m.bodyText = text; touch(); }} />
      <p class="json-problem" id="json-problem">${jsonProblem(m)}</p>`;
  }
  if (m.bodyMode === 'graphql') {
    m.graphql = m.graphql || { query: '', variables: '' };
    return html`<div class="graphql">
      <div><small>query</small><${CodeEditor} id="graphql-query" doc=${m.graphql.query} keys=${keys}
        onChange=${(text) => { m.graphql.query = text; touch(); }} /></div>
      <div><small>variables (JSON)</small><${CodeEditor} id="graphql-variables" doc=${m.graphql.variables} language="json" keys=${keys}
        onChange=${(text) => { m.graphql.variables = text; touch(); }} /></div></div>`;
  }
  if (m.bodyMode === 'urlencoded') return html`<table class="kv" id="form-table"><${KvBody} rows=${m.form} onChange=${touch} /></table>`;
  if (m.bodyMode === 'formdata') {
    m.formData = m.formData || [];
    return html`<table class="kv" id="form-data-table"><${FormDataBody} rows=${m.formData} onChange=${touch} /></table>
      <p class="hint">Sent as multipart/form-data; the engine writes the boundary.</p>`;
  }
  if (m.bodyMode === 'binary') {
    return html`<${FileField} current=${m.bodyFile} id="body-file" onFile=${(file) => { m.bodyFile = file; touch(); }} />
      <p class="hint">The file's bytes, as they are, with its type unless a Content-Type header is set.</p>`;
  }
  return html`<p class="hint">This request has no body.</p>`;
}

export function BodyPane({ m, touch, keys }) {
  const pick = (mode, language) => { setBodyMode(m, mode, language); touch(); };
  return html`<div id="body-pane"><div class="modes">
      ${MODES.map(([value, label]) => html`<label><input type="radio" name="body-mode" value=${value} id=${'body-' + value}
        checked=${m.bodyMode === value} onChange=${() => pick(value)} /> ${label}</label>`)}
      <select id="raw-language" hidden=${m.bodyMode !== 'raw'} value=${m.rawLanguage} onChange=${(e) => pick('raw', e.currentTarget.value)}>
        ${LANGUAGES.map((l) => html`<option value=${l}>${l}</option>`)}</select></div>
    <div key=${m.bodyMode}><${Content} m=${m} touch=${touch} keys=${keys} /></div></div>`;
}
