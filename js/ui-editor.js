// The Manager's code editor: CodeMirror 6 (from this lockfile) with JavaScript and JSON modes
// and completions of Postman's `pm` API, bundled by build.mjs into one script that sets
// `window.vayuEditor`. Only glue lives here; the editor is CodeMirror's own.
import { basicSetup } from 'codemirror';
import { EditorView, keymap } from '@codemirror/view';
import { EditorState, Compartment } from '@codemirror/state';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { completeFromList } from '@codemirror/autocomplete';
import { linter } from '@codemirror/lint';

// What a script most often reaches for in Postman's sandbox (docs/scripting.md has the rest).
const PM = [
  'pm.test', 'pm.expect', 'pm.response', 'pm.response.code', 'pm.response.status',
  'pm.response.json()', 'pm.response.text()', 'pm.response.headers', 'pm.response.responseTime',
  'pm.response.to.have.status', 'pm.response.to.have.header', 'pm.response.to.be.ok',
  'pm.request', 'pm.request.url', 'pm.request.headers', 'pm.request.body',
  'pm.environment.get', 'pm.environment.set', 'pm.environment.unset',
  'pm.variables.get', 'pm.variables.set', 'pm.collectionVariables.get', 'pm.collectionVariables.set',
  'pm.globals.get', 'pm.globals.set', 'pm.sendRequest', 'pm.info', 'pm.iterationData.get',
  'pm.execution.skipRequest', 'pm.execution.setNextRequest', 'pm.cookies.get', 'console.log',
].map((label) => ({ label, type: label.endsWith(')') ? 'function' : 'property' }));

const languages = {
  javascript: () => [javascript(), javascriptLanguage.data.of({ autocomplete: completeFromList(PM) })],
  json: () => [json(), linter(jsonParseLinter())],
  text: () => [],
};

// An editor in `parent` holding `doc`; `onChange(text)` after every edit; `keys` are extra
// CodeMirror key bindings (the page's Ctrl/Cmd+Enter and Ctrl/Cmd+S must work inside it too).
function create(parent, { doc = '', language = 'text', onChange, keys = [], readOnly = false } = {}) {
  const mode = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        keymap.of(keys),
        basicSetup,
        mode.of(languages[language] ? languages[language]() : []),
        EditorState.readOnly.of(readOnly),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    get text() { return view.state.doc.toString(); },
    set text(value) {
      if (value !== view.state.doc.toString()) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      }
    },
    setLanguage(name) { view.dispatch({ effects: mode.reconfigure(languages[name] ? languages[name]() : []) }); },
  };
}

window.vayuEditor = { create };
