// History: the design-mode requests the engine recorded (`GET /runs?type=design`), newest first,
// paged (`offset`) and searched by the engine (`q`), each reopened in a new tab as it was sent.
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
  // The newest 50, then 50 more at a time (`offset`), as the list's end asks.
  let shown = 0;
  const row = (run) => {
    const r = (run.config && run.config.request) || {};
    const when = new Date(run.startTime).toLocaleTimeString();
    return el('li', { 'data-run': run.id, class: 'run-' + run.status, title: r.url, onclick: () => openTab(fromRequest(r)) },
      el('span', { class: 'method m-' + String(r.method || 'GET').toLowerCase() }, r.method || 'GET'),
      el('span', { class: 'name' }, r.name || r.url), el('small', {}, when));
  };
  const page = async (offset) => {
    const query = new URLSearchParams({ type: 'design', limit: '50', offset: String(offset) });
    if (search.value.trim()) query.set('q', search.value.trim());
    const runs = await api('GET', '/runs?' + query);
    if (!offset) list.replaceChildren();
    const more = list.querySelector('.more');
    if (more) more.remove();
    list.append(...runs.items.map(row));
    shown = offset + runs.items.length;
    if (shown < runs.total) {
      list.append(el('li', { class: 'more', id: 'history-more', onclick: () => page(shown) }, `${runs.total - shown} more…`));
    }
    if (!runs.total) list.append(el('li', { class: 'empty' }, search.value ? 'Nothing matches.' : 'Requests you send show here.'));
  };
  section.draw = () => page(0);
  return section;
}
