// A saved request's examples (responses kept with it, as Postman keeps them: `POST
// /requests/{id}/examples`): saved from the response pane, listed in the request's Examples
// section, opened in a panel and deleted there. An export carries them as the item's `response`.
import { api } from './api.js';
import { showPanel, closePanel } from './panel.js';
import { notice } from './collection-tools.js';

const { el } = window.vayuDom;

function openExample(example) {
  const body = el('div', { class: 'code', id: 'example-body' });
  window.vayuEditor.create(body, { doc: example.body || '', readOnly: true });
  showPanel('example', el('h2', {}, example.name),
    el('p', {}, el('span', { class: 'status-code' }, `${example.status} ${example.statusText || ''}`)),
    el('table', { class: 'kv' }, el('tbody', {}, ...(example.headers || []).map((h) => el('tr', {}, el('th', {}, h.key), el('td', {}, h.value))))),
    body, el('p', { class: 'buttons' }, el('button', { class: 'close', onclick: closePanel }, 'Close')));
}

// The Examples section of saved request `tab.savedId`, read from the engine when shown.
export function examplesSection(tab) {
  if (!tab.savedId) return el('p', { class: 'hint' }, 'Save the request to keep responses with it as examples.');
  const list = el('ul', { class: 'list', id: 'examples' }, el('li', { class: 'hint' }, 'Reading…'));
  const draw = async () => {
    const saved = await api('GET', '/requests/' + encodeURIComponent(tab.savedId));
    const examples = saved.examples || [];
    if (!examples.length) return list.replaceChildren(el('li', { class: 'hint' }, 'None yet: send, then "Save as example" under the response.'));
    list.replaceChildren(...examples.map((x) => el('li', { 'data-example': x.index },
      el('a', { href: '#', onclick: (e) => { e.preventDefault(); openExample(x); } }, x.name), ' ', el('small', {}, String(x.status)),
      el('button', { class: 'icon remove', title: 'delete the example', onclick: async () => {
        await api('DELETE', `/requests/${encodeURIComponent(tab.savedId)}/examples/${x.index}`);
        draw();
      } }, '×'))));
  };
  draw().catch((e) => list.replaceChildren(el('li', { class: 'error' }, e.message)));
  return list;
}

// Under a response: its name and "Save as example" (for a saved request with a text body).
export function saveExampleForm(tab, result, request) {
  const r = result.response;
  if (!tab.savedId || !r || r.bodyEncoding === 'base64' || r.bodyTruncated) return '';
  const name = el('input', { type: 'text', id: 'example-name', value: `${r.status} ${r.statusText}`, spellcheck: 'false' });
  const save = async () => {
    try {
      await api('POST', `/requests/${encodeURIComponent(tab.savedId)}/examples`, {
        name: name.value || String(r.status), status: r.status, headers: r.headers.map((h) => ({ key: h.name, value: h.value })), body: r.body, request,
      });
      notice(`Saved the response as the example "${name.value}"`);
    } catch (e) {
      notice('Example not saved: ' + (e.field ? e.field + ': ' : '') + e.message, true);
    }
  };
  return el('span', { class: 'save-example' }, name, el('button', { id: 'save-example', onclick: save }, 'Save as example'));
}
