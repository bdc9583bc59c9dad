// The response of the active tab's last Send (`POST /request`'s answer): status, time and size,
// a waterfall of the engine's µs timings (DNS, connect, TLS, first byte, download), then the
// body (pretty JSON, XML or HTML in a read-only CodeMirror with folding and search, an HTML page
// rendered in a sandboxed frame, an image shown, or raw), the headers, the
// cookies it set, the test results with their messages and the console of both scripts.
import { SaveExample } from './examples.js';
import { CodeView } from './code-view.js';
import { html, render, useState } from './components.js';

const { ms } = window.vayuDom;

const PHASES = [['dns', 'DNS'], ['connect', 'Connect'], ['tls', 'TLS'], ['firstByte', 'First byte'], ['download', 'Download']];
const open = {}; // the section shown, by tab id

const size = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB');

// One bar per phase, placed where it starts in the transfer and as long as it lasted (set
// through the style object, which the page's policy allows, unlike a style attribute).
function Waterfall({ t }) {
  const whole = Math.max(t.total, PHASES.reduce((sum, [k]) => sum + t[k], 0), 1);
  let at = 0;
  const rows = PHASES.map(([key, label]) => {
    const style = { marginLeft: (100 * at / whole) + '%', width: Math.max(100 * t[key] / whole, 0.3) + '%' };
    at += t[key];
    return html`<tr data-phase=${key}><th>${label}</th><td class="track"><span class=${'bar ' + key} style=${style}></span></td>
      <td class="num">${ms(t[key])}</td></tr>`;
  });
  return html`<table class="waterfall" id="waterfall"><tbody>${rows}
    <tr class="total"><th>Total</th><td></td><td class="num">${ms(t.total)}</td></tr></tbody></table>`;
}

const contentTypeOf = (r) => ((r.headers.find((h) => h.name.toLowerCase() === 'content-type') || {}).value || '').toLowerCase();

// The body as the pretty view shows it: JSON indented, XML indented (when well-formed), HTML
// and JavaScript highlighted; anything else as text.
function prettyBody(r) {
  const type = contentTypeOf(r);
  if (r.bodyEncoding === 'base64') return { text: r.body, language: 'text' };
  if (type.includes('json') || /^\s*[[{]/.test(r.body)) {
    try { return { text: JSON.stringify(JSON.parse(r.body), null, 2), language: 'json' }; } catch (e) { /* shown raw */ }
  }
  if (type.includes('html')) return { text: r.body, language: 'html' };
  if (type.includes('xml') || /^\s*<\?xml/.test(r.body)) {
    const xml = window.vayuEditor.formatXml(r.body);
    if (xml !== null) return { text: xml, language: 'xml' };
  }
  return { text: r.body, language: type.includes('javascript') ? 'javascript' : 'text' };
}

// The body in the view picked: an image shown (the policy allows data: images; its bytes come
// base64 unless they are text), an HTML body in a sandboxed frame (no script runs, no form
// posts, no navigation, and the page's own policy, inherited by a srcdoc frame, loads nothing
// from elsewhere), the raw text, or the pretty view in CodeMirror.
function Body({ r }) {
  const [mode, setMode] = useState('pretty');
  const type = contentTypeOf(r);
  const isHtml = type.includes('html') && r.bodyEncoding !== 'base64';
  const views = isHtml ? ['pretty', 'raw', 'preview'] : ['pretty', 'raw'];
  if (r.bodyTruncated) return html`<p class="hint">The body (${size(r.bodySize)}) was over the engine's cap and not kept.</p>`;
  let inside;
  if (mode === 'pretty' && type.startsWith('image/') && !type.includes('svg')) {
    const data = r.bodyEncoding === 'base64' ? r.body : btoa(unescape(encodeURIComponent(r.body)));
    inside = html`<img class="preview" alt="the response body" src=${`data:${type.split(';')[0]};base64,${data}`} />`;
  } else if (mode === 'preview' && isHtml) {
    inside = html`<iframe class="preview-frame" id="response-preview" sandbox="" srcdoc=${r.body} title="the response body, rendered"></iframe>`;
  } else if (mode === 'raw') inside = html`<pre class="raw">${r.body}</pre>`;
  if (!inside) {
    const p = prettyBody(r);
    inside = html`<${CodeView} key=${'pretty'} id="response-body" doc=${p.text} language=${p.language} />`;
  } else inside = html`<div class="code" id="response-body" key=${mode}>${inside}</div>`;
  return html`<div><span class="modes">${views.map((m) =>
    html`<button class=${m === mode ? 'on' : ''} data-body-view=${m} onClick=${() => setMode(m)}>${m}</button>`)}</span>${inside}</div>`;
}

// The cookies the response set (its Set-Cookie headers): name, value and attributes.
function Cookies({ r }) {
  const cookies = r.headers.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => {
    const [pair, ...attributes] = h.value.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1), attributes.join('; ')];
  });
  if (!cookies.length) return html`<p class="hint">The response set no cookies.</p>`;
  return html`<table id="response-cookies"><thead><tr><th>name</th><th>value</th><th>attributes</th></tr></thead>
    <tbody>${cookies.map((c) => html`<tr>${c.map((x) => html`<td>${x}</td>`)}</tr>`)}</tbody></table>`;
}

const testsOf = (result) => [...((result.preRequest && result.preRequest.tests) || []), ...((result.test && result.test.tests) || [])];

function Tests({ result }) {
  const tests = testsOf(result);
  const errors = [result.preRequest, result.test].filter((o) => o && o.error)
    .map((o) => html`<p class="error">Script error: ${o.error.message || JSON.stringify(o.error)}</p>`);
  if (!tests.length && !errors.length) return html`<p class="hint">No tests: write them in the Tests section (pm.test).</p>`;
  return html`<div>${errors}<ul class="tests" id="test-results">${tests.map((t) =>
    html`<li class=${t.skipped ? 'skipped' : t.passed ? 'pass' : 'fail'}>${t.skipped ? '– ' : t.passed ? '✓ ' : '✗ '}${t.name}${
      t.error && html`<span class="message">${' ' + t.error}</span>`}</li>`)}</ul></div>`;
}

function Console({ result }) {
  const lines = [['pre-request', result.preRequest], ['test', result.test]].flatMap(([where, o]) => ((o && o.console) || []).map((c) =>
    html`<li class=${'console-' + c.level}><small>${where + ' · ' + c.level + ' '}</small>${c.message}</li>`));
  return lines.length ? html`<ul class="console" id="console">${lines}</ul>` : html`<p class="hint">Nothing logged (console.log in a script shows here).</p>`;
}

// The status line's start: the status, time, size and where from; or why nothing came back.
function Status({ result }) {
  const r = result.response;
  if (r) {
    const cls = r.status < 300 ? 'ok' : r.status < 400 ? 'redirect' : 'bad';
    return html`<span class=${'status-code ' + cls} id="response-status">${r.status} ${r.statusText}</span>
      <span id="response-time">${ms(r.timings.total)}</span><span id="response-size">${size(r.bodySize)}</span>
      <span class="hint">${r.httpVersion + ' · ' + r.remoteAddress}</span>`;
  }
  if (result.error) {
    return html`<span class="status-code bad" id="response-status">Failed: ${result.error.category || ''}</span>
      <span class="error">${result.error.message || JSON.stringify(result.error)}</span>`;
  }
  return html`<span class="hint" id="response-status">Not sent (the pre-request script skipped or failed)</span>`;
}

// A response's sections, the one shown remembered per tab.
function Response({ tab, result, request }) {
  const r = result.response;
  const tests = testsOf(result);
  const failed = tests.filter((t) => !t.passed && !t.skipped).length;
  const sections = r ? ['Body', 'Headers', 'Cookies', 'Tests', 'Console'] : ['Tests', 'Console'];
  const [current, setCurrent] = useState(sections.includes(open[tab.id]) ? open[tab.id] : sections[0]);
  open[tab.id] = current;
  const canSave = tab.savedId && r && r.bodyEncoding !== 'base64' && !r.bodyTruncated;
  const unresolved = result.unresolvedVariables || [];
  let pane;
  if (current === 'Body') pane = html`<${Body} r=${r} />`;
  else if (current === 'Headers') pane = html`<table id="response-headers"><tbody>${r.headers.map((h) => html`<tr><th>${h.name}</th><td>${h.value}</td></tr>`)}</tbody></table>`;
  else if (current === 'Cookies') pane = html`<${Cookies} r=${r} />`;
  else if (current === 'Tests') pane = html`<${Tests} result=${result} />`;
  else pane = html`<${Console} result=${result} />`;
  return html`<div class="status-line"><${Status} result=${result} />
      ${canSave && html`<span class="save-example"><${SaveExample} tab=${tab} response=${r} request=${request} /></span>`}</div>
    ${unresolved.length > 0 && html`<p class="warning" id="unresolved">Sent as written (no value): ${unresolved.map((v) => '{{' + v + '}}').join(', ')}</p>`}
    ${r && html`<${Waterfall} t=${r.timings} />`}
    <nav class="subtabs" id="response-sections">${sections.map((s) => html`<button class=${s === current ? 'on' : ''} data-section=${s}
      onClick=${() => setCurrent(s)}>${s}${s === 'Tests' && tests.length ? ` (${tests.length - failed}/${tests.length})` : ''}</button>`)}</nav>
    <div class="section">${pane}</div>`;
}

// Draws `result` (or a hint, or the sending state) into `root` for `tab`; `request` is the spec
// it sent (kept with an example saved from it). A new result or tab is a new component (key),
// so its section and body view start as they should.
export function responsePane(root, tab, result, sending, request) {
  let view;
  if (sending) view = html`<p class="hint" id="sending">Sending…</p>`;
  else if (!result) view = html`<p class="hint">Send the request (Ctrl/Cmd+Enter) to see its response here.</p>`;
  else if (result.apiError) view = html`<p class="error" id="response-error">${result.apiError}</p>`;
  else view = html`<${Response} key=${keyOf(tab, result)} tab=${tab} result=${result} request=${request} />`;
  render(view, root);
}

// A key per tab and result object.
const resultKeys = new WeakMap();
let nextKey = 0;
function keyOf(tab, result) {
  if (!resultKeys.has(result)) resultKeys.set(result, nextKey++);
  return tab.id + '/' + resultKeys.get(result);
}
