// The Manager's code editors: CodeMirror 6 (from this lockfile) with JavaScript, JSON, XML and
// HTML modes and completions of Postman's sandbox by path (`pm.` offers pm's members,
// `pm.response.` the response's), and the one-line URL editor with its `{{variables}}` marked
// and resolved on hover, bundled by build.mjs into one script that sets `window.vayuEditor`,
// with xml-formatter's indenting for XML bodies. Only glue lives here; the editor is
// CodeMirror's own.
import { basicSetup } from 'codemirror';
import { EditorView, keymap, MatchDecorator, Decoration, ViewPlugin, hoverTooltip, placeholder, drawSelection } from '@codemirror/view';
import { history, defaultKeymap, historyKeymap } from '@codemirror/commands';
import { EditorState, Compartment, StateEffect } from '@codemirror/state';
import { javascript, javascriptLanguage, scopeCompletionSource } from '@codemirror/lang-javascript';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { xml } from '@codemirror/lang-xml';
import { html } from '@codemirror/lang-html';
import { linter } from '@codemirror/lint';
import xmlFormat from 'xml-formatter';

// Postman's sandbox as a scope to complete from: `pm.` offers pm's members, `pm.response.`
// the response's, `pm.response.to.have.` the assertions, and so on down (docs/scripting.md
// has what each does). Functions complete as functions, objects open further.
const fn = () => {};
// The objects without a prototype, so `pm.` offers pm's members, not `constructor` or
// `hasOwnProperty`.
function withoutPrototypes(object) {
  for (const value of Object.values(object)) {
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) !== null) withoutPrototypes(value);
  }
  return Array.isArray(object) ? object : Object.setPrototypeOf(object, null);
}
const scope = (...names) => Object.fromEntries(names.map((n) => [n, fn]));
const variableScope = scope('get', 'set', 'unset', 'has', 'clear', 'toObject', 'replaceIn');
const headerList = scope('get', 'has', 'add', 'upsert', 'remove', 'toObject', 'each', 'all');
const assertions = {
  have: scope('status', 'header', 'body', 'jsonBody', 'jsonSchema', 'responseTime'),
  be: { ok: true, success: true, error: true, clientError: true, serverError: true, json: true, notFound: true, created: true, accepted: true },
  not: { have: scope('status', 'header', 'body', 'jsonBody'), be: { ok: true, error: true } },
};
const SANDBOX = withoutPrototypes({
  pm: {
    test: fn, expect: fn, sendRequest: fn, require: fn,
    response: {
      code: 200, status: 'OK', responseTime: 0, responseSize: 0, json: fn, text: fn, reason: fn,
      headers: headerList, cookies: scope('get', 'has', 'toObject'), to: assertions,
    },
    request: { method: 'GET', url: { ...scope('toString', 'getHost', 'getPath', 'getQueryString'), query: headerList }, headers: headerList, body: { mode: 'raw', raw: '' }, auth: {} },
    environment: variableScope, variables: variableScope, collectionVariables: variableScope, globals: variableScope,
    iterationData: scope('get', 'has', 'toObject'),
    info: { requestName: '', requestId: '', iteration: 0, iterationCount: 0, eventName: '' },
    cookies: { ...scope('get', 'has', 'toObject'), jar: fn },
    execution: { ...scope('skipRequest', 'setNextRequest'), location: [] },
    visualizer: scope('set'),
  },
  console: scope('log', 'info', 'warn', 'error'),
  postman: scope('setNextRequest', 'setEnvironmentVariable', 'getEnvironmentVariable', 'setGlobalVariable', 'getGlobalVariable'),
  responseBody: '', responseCode: { code: 200 }, responseHeaders: {}, responseTime: 0, tests: {}, request: {},
  JSON: scope('parse', 'stringify'), atob: fn, btoa: fn, require: fn, setTimeout: fn,
});

const languages = {
  javascript: () => [javascript(), javascriptLanguage.data.of({ autocomplete: scopeCompletionSource(SANDBOX) })],
  json: () => [json(), linter(jsonParseLinter())],
  xml: () => [xml()],
  html: () => [html()],
  text: () => [],
};

// CodeMirror writes its styles into a <style> element, which the page's policy (`style-src
// 'self'`) blocks. The same text is adopted as a constructed stylesheet, which the policy lets
// scripts from the page's own origin make; kept in step whenever CodeMirror adds a module.
const adopted = new CSSStyleSheet();
let adoptedText = '';
function adoptStyles() {
  const text = [...document.head.querySelectorAll('style')].map((s) => s.textContent).join('\n');
  if (text === adoptedText) return;
  adoptedText = text;
  adopted.replaceSync(text);
  if (!document.adoptedStyleSheets.includes(adopted)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, adopted];
}
new MutationObserver(adoptStyles).observe(document.head, { childList: true, characterData: true, subtree: true });

// Colours from the page's custom properties, so the editor follows its light or dark theme.
const pageTheme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--bg)' },
  '.cm-gutters': { backgroundColor: 'var(--soft)', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '.cm-content': { caretColor: 'var(--fg)' },
});

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
        pageTheme,
        mode.of(languages[language] ? languages[language]() : []),
        EditorState.readOnly.of(readOnly),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  adoptStyles();
  return {
    view,
    get text() { return view.state.doc.toString(); },
    set text(value) {
      if (value !== view.state.doc.toString()) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      }
    },
    setLanguage(name) {
      view.dispatch({ effects: mode.reconfigure(languages[name] ? languages[name]() : []) });
      adoptStyles();
    },
  };
}

// `{{name}}` in a line: marked resolved or not by `lookup(name)` (undefined: no value), and
// its value shown on hover.
const VARIABLE = /\{\{([^{}]+)\}\}/g;
// Sent when the values behind `lookup` changed (another environment, a script's doing).
const lookupChanged = StateEffect.define();
function variables(lookup) {
  const marks = new MatchDecorator({
    regexp: VARIABLE,
    decoration: (m) => Decoration.mark({ class: lookup(m[1]) === undefined ? 'cm-var cm-var-unresolved' : 'cm-var' }),
  });
  const plugin = ViewPlugin.fromClass(class {
    constructor(view) { this.decorations = marks.createDeco(view); }
    update(u) {
      const changed = u.transactions.some((t) => t.effects.some((e) => e.is(lookupChanged)));
      this.decorations = changed ? marks.createDeco(u.view) : marks.updateDeco(u, this.decorations);
    }
  }, { decorations: (v) => v.decorations });
  const hover = hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    for (const m of line.text.matchAll(VARIABLE)) {
      const from = line.from + m.index;
      const to = from + m[0].length;
      if (pos < from || pos > to) continue;
      const value = lookup(m[1]);
      return { pos: from, end: to, above: true, create: () => {
        const dom = document.createElement('div');
        dom.className = 'cm-var-tip';
        dom.textContent = value === undefined ? `${m[1]}: no value in the active environment` : `${m[1]} = ${value}`;
        return { dom };
      } };
    }
    return null;
  });
  return [plugin, hover];
}

// A one-line editor (the URL): `{{variables}}` marked and resolved on hover; Enter and the
// page's `keys` act, a pasted line break is refused. Setting `text` does not call `onChange`.
function createLine(parent, { doc = '', onChange, keys = [], lookup = () => undefined, hint = '' } = {}) {
  let silent = false;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        keymap.of(keys),
        history(),
        drawSelection(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        placeholder(hint),
        variables(lookup),
        pageTheme,
        EditorState.transactionFilter.of((tr) => (tr.newDoc.lines > 1 ? [] : tr)),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange && !silent) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  adoptStyles();
  return {
    view,
    get text() { return view.state.doc.toString(); },
    set text(value) {
      if (value === view.state.doc.toString()) return;
      silent = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      silent = false;
    },
    // The variables' values changed: marks them again.
    refresh() { view.dispatch({ effects: lookupChanged.of(null) }); },
  };
}

// An XML document indented for reading (xml-formatter), or null when it is not well-formed.
function formatXml(text) {
  try {
    return xmlFormat(text, { indentation: '  ', collapseContent: true, lineSeparator: '\n' });
  } catch (e) {
    return null;
  }
}

window.vayuEditor = { create, createLine, formatXml };
