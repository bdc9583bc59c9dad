// History: the design-mode requests the engine recorded (`GET /runs?type=design`), newest first,
// searched by the engine (`q`), each reopened in a new tab as it was sent.
import { api } from './api.js';
import { openTab } from './state.js';
import { fromRequest } from './request-model.js';

const { el } = window.vayuDom;

export function historySection() {
  const list = el('ul', { class: 'list', id: 'history' });
  const search = el('input', { type: 'search', id: 'history-search', placeholder: 'search history' });
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => section.draw(), 250); });
  const section = el('section', { class: 'side-history' }, el('header', {}, el('h3', {}, 'History')), search, list);
  section.draw = async () => {
    const query = new URLSearchParams({ type: 'design', limit: '50' });
    if (search.value.trim()) query.set('q', search.value.trim());
    const runs = await api('GET', '/runs?' + query);
    list.replaceChildren(...runs.items.map((run) => {
      const r = (run.config && run.config.request) || {};
      const when = new Date(run.startTime).toLocaleTimeString();
      return el('li', { 'data-run': run.id, class: run.status, title: r.url, onclick: () => openTab(fromRequest(r)) },
        el('span', { class: 'method m-' + String(r.method || 'GET').toLowerCase() }, r.method || 'GET'),
        el('span', { class: 'name' }, r.name || r.url), el('small', {}, when));
    }));
    if (!runs.items.length) list.append(el('li', { class: 'empty' }, search.value ? 'Nothing matches.' : 'Requests you send show here.'));
  };
  return section;
}
