// The response of the active tab's last Send (`POST /request`'s answer): status, time and size,
// a waterfall of the engine's µs timings (DNS, connect, TLS, first byte, download), then the
// body (pretty JSON, XML or HTML in a read-only CodeMirror with folding and search, an HTML page
// rendered in a sandboxed frame, an image shown, or raw), the headers, the
// cookies it set, the test results with their messages and the console of both scripts.
import { saveExampleForm } from './examples.js';

const { el, ms } = window.vayuDom;

const PHASES = [['dns', 'DNS'], ['connect', 'Connect'], ['tls', 'TLS'], ['firstByte', 'First byte'], ['download', 'Download']];
const open = {}; // the section shown, by tab id

const size = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB');

// One bar per phase, placed where it starts in the transfer and as long as it lasted.
function waterfall(t) {
  const whole = Math.max(t.total, PHASES.reduce((sum, [k]) => sum + t[k], 0), 1);
  let at = 0;
  const rows = PHASES.map(([key, label]) => {
    const bar = el('span', { class: 'bar ' + key });
    bar.style.marginLeft = (100 * at / whole) + '%';
    bar.style.width = Math.max(100 * t[key] / whole, 0.3) + '%';
    at += t[key];
    return el('tr', { 'data-phase': key }, el('th', {}, label), el('td', { class: 'track' }, bar), el('td', { class: 'num' }, ms(t[key])));
  });
  rows.push(el('tr', { class: 'total' }, el('th', {}, 'Total'), el('td', {}), el('td', { class: 'num' }, ms(t.total))));
  return el('table', { class: 'waterfall', id: 'waterfall' }, el('tbody', {}, ...rows));
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

// An HTML body drawn in a sandboxed frame: no script runs, no form posts, no navigation, and
// the page's own policy (inherited by a srcdoc frame) loads nothing from elsewhere.
const htmlPreview = (r) => el('iframe', { class: 'preview-frame', id: 'response-preview', sandbox: '', srcdoc: r.body, title: 'the response body, rendered' });

function bodySection(r, mode, redraw) {
  const type = contentTypeOf(r);
  const isHtml = type.includes('html') && r.bodyEncoding !== 'base64';
  const views = isHtml ? ['pretty', 'raw', 'preview'] : ['pretty', 'raw'];
  const toggle = el('span', { class: 'modes' }, ...views.map((m) =>
    el('button', { class: m === mode ? 'on' : '', 'data-body-view': m, onclick: () => redraw(m) }, m)));
  if (r.bodyTruncated) return el('p', { class: 'hint' }, `The body (${size(r.bodySize)}) was over the engine's cap and not kept.`);
  const box = el('div', { class: 'code', id: 'response-body' });
  if (mode === 'pretty' && type.startsWith('image/') && !type.includes('svg')) {
    // An image, shown (the policy allows data: images); its bytes come base64 unless they are text.
    const data = r.bodyEncoding === 'base64' ? r.body : btoa(unescape(encodeURIComponent(r.body)));
    box.append(el('img', { class: 'preview', alt: 'the response body', src: `data:${type.split(';')[0]};base64,${data}` }));
  } else if (mode === 'preview' && isHtml) box.append(htmlPreview(r));
  else if (mode === 'raw') box.append(el('pre', { class: 'raw' }, r.body));
  else {
    const p = prettyBody(r);
    window.vayuEditor.create(box, { doc: p.text, language: p.language, readOnly: true });
  }
  return el('div', {}, toggle, box);
}

// The cookies the response set (its Set-Cookie headers): name, value and attributes.
function cookiesSection(r) {
  const cookies = r.headers.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => {
    const [pair, ...attributes] = h.value.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1), attributes.join('; ')];
  });
  if (!cookies.length) return el('p', { class: 'hint' }, 'The response set no cookies.');
  return el('table', { id: 'response-cookies' }, el('thead', {}, el('tr', {}, ...['name', 'value', 'attributes'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...cookies.map((c) => el('tr', {}, ...c.map((x) => el('td', {}, x))))));
}

function testsSection(result) {
  const tests = [...((result.preRequest && result.preRequest.tests) || []), ...((result.test && result.test.tests) || [])];
  const errors = [result.preRequest, result.test].filter((o) => o && o.error)
    .map((o) => el('p', { class: 'error' }, 'Script error: ' + (o.error.message || JSON.stringify(o.error))));
  if (!tests.length && !errors.length) return el('p', { class: 'hint' }, 'No tests: write them in the Tests section (pm.test).');
  return el('div', {}, ...errors, el('ul', { class: 'tests', id: 'test-results' }, ...tests.map((t) =>
    el('li', { class: t.skipped ? 'skipped' : t.passed ? 'pass' : 'fail' },
      t.skipped ? '– ' : t.passed ? '✓ ' : '✗ ', t.name, t.error ? el('span', { class: 'message' }, ' ' + t.error) : ''))));
}

function consoleSection(result) {
  const lines = [['pre-request', result.preRequest], ['test', result.test]]
    .flatMap(([where, o]) => ((o && o.console) || []).map((c) => el('li', { class: 'console-' + c.level }, el('small', {}, where + ' · ' + c.level + ' '), c.message)));
  return lines.length ? el('ul', { class: 'console', id: 'console' }, ...lines) : el('p', { class: 'hint' }, 'Nothing logged (console.log in a script shows here).');
}

// Draws `result` (or a hint, or the sending state) into `root` for `tab`; `request` is the spec
// it sent (kept with an example saved from it).
export function responsePane(root, tab, result, sending, request) {
  const tabId = tab.id;
  if (sending) return root.replaceChildren(el('p', { class: 'hint', id: 'sending' }, 'Sending…'));
  if (!result) return root.replaceChildren(el('p', { class: 'hint' }, 'Send the request (Ctrl/Cmd+Enter) to see its response here.'));
  if (result.apiError) return root.replaceChildren(el('p', { class: 'error', id: 'response-error' }, result.apiError));
  const r = result.response;
  const head = [];
  if (r) {
    const cls = r.status < 300 ? 'ok' : r.status < 400 ? 'redirect' : 'bad';
    head.push(el('span', { class: 'status-code ' + cls, id: 'response-status' }, `${r.status} ${r.statusText}`),
      el('span', { id: 'response-time' }, ms(r.timings.total)), el('span', { id: 'response-size' }, size(r.bodySize)),
      el('span', { class: 'hint' }, r.httpVersion + ' · ' + r.remoteAddress));
  } else if (result.error) {
    head.push(el('span', { class: 'status-code bad', id: 'response-status' }, 'Failed: ' + (result.error.category || '')),
      el('span', { class: 'error' }, result.error.message || JSON.stringify(result.error)));
  } else head.push(el('span', { class: 'hint', id: 'response-status' }, 'Not sent (the pre-request script skipped or failed)'));
  const tests = [...((result.preRequest && result.preRequest.tests) || []), ...((result.test && result.test.tests) || [])];
  const failed = tests.filter((t) => !t.passed && !t.skipped).length;
  const sections = r ? ['Body', 'Headers', 'Cookies', 'Tests', 'Console'] : ['Tests', 'Console'];
  let current = sections.includes(open[tabId]) ? open[tabId] : sections[0];
  let bodyMode = 'pretty';
  const nav = el('nav', { class: 'subtabs', id: 'response-sections' });
  const pane = el('div', { class: 'section' });
  const draw = () => {
    open[tabId] = current;
    nav.replaceChildren(...sections.map((s) => el('button', { class: s === current ? 'on' : '', 'data-section': s, onclick: () => { current = s; draw(); } },
      s, s === 'Tests' && tests.length ? ` (${tests.length - failed}/${tests.length})` : '')));
    if (current === 'Body') pane.replaceChildren(bodySection(r, bodyMode, (m) => { bodyMode = m; draw(); }));
    else if (current === 'Headers') pane.replaceChildren(el('table', { id: 'response-headers' }, el('tbody', {}, ...r.headers.map((h) => el('tr', {}, el('th', {}, h.name), el('td', {}, h.value))))));
    else if (current === 'Cookies') pane.replaceChildren(cookiesSection(r));
    else if (current === 'Tests') pane.replaceChildren(testsSection(result));
    else pane.replaceChildren(consoleSection(result));
  };
  draw();
  const unresolved = (result.unresolvedVariables || []).length
    ? el('p', { class: 'warning', id: 'unresolved' }, 'Sent as written (no value): ' + result.unresolvedVariables.map((v) => '{{' + v + '}}').join(', ')) : '';
  root.replaceChildren(el('div', { class: 'status-line' }, ...head, saveExampleForm(tab, result, request)), unresolved, r ? waterfall(r.timings) : '', nav, pane);
}
