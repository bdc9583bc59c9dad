// History: the design-mode requests the engine recorded (`GET /runs?type=design`), newest first,
// paged (`offset`) and searched by the engine (`q`), each reopened in a new tab as it was sent.
import { api } from './api.js';
import { openTab } from './state.js';
import { fromRequest } from './request-model.js';
import { html, mount, render, useEffect, useRef, useState } from './components.js';

function Row({ run }) {
  const r = (run.config && run.config.request) || {};
  const method = r.method || 'GET';
  return html`<li data-run=${run.id} class=${'run-' + run.status} title=${r.url} onClick=${() => openTab(fromRequest(r))}>
    <span class=${'method m-' + String(method).toLowerCase()}>${method}</span><span class="name">${r.name || r.url}</span>
    <small>${new Date(run.startTime).toLocaleTimeString()}</small></li>`;
}

// The section's inside; `version` changes when the page asks for the list again (a send).
// The newest 50, then 50 more at a time (`offset`), as the list's end asks; the search waits
// for a pause in typing.
function History({ version }) {
  const [query, setQuery] = useState('');
  const [runs, setRuns] = useState({ items: [], total: 0, loaded: false });
  const timer = useRef(null);
  const page = async (offset, q) => {
    const params = new URLSearchParams({ type: 'design', limit: '50', offset: String(offset) });
    if (q.trim()) params.set('q', q.trim());
    const got = await api('GET', '/runs?' + params);
    setRuns((before) => ({ items: [...(offset ? before.items : []), ...got.items], total: got.total, loaded: true }));
  };
  useEffect(() => { if (version) page(0, query); }, [version]);
  const search = (e) => {
    const q = e.currentTarget.value;
    setQuery(q);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => page(0, q), 250);
  };
  const shown = runs.items.length;
  return html`<header><h3>History</h3></header>
    <input type="search" id="history-search" placeholder="search history" value=${query} onInput=${search} />
    <ul class="list" id="history">
      ${runs.items.map((run) => html`<${Row} key=${run.id} run=${run} />`)}
      ${shown < runs.total && html`<li class="more" id="history-more" onClick=${() => page(shown, query)}>${runs.total - shown} more…</li>`}
      ${runs.loaded && !runs.total && html`<li class="empty">${query ? 'Nothing matches.' : 'Requests you send show here.'}</li>`}
    </ul>`;
}

// The sidebar's section; `draw()` reads the list again.
export function historySection() {
  let version = 0;
  const section = mount('section', { class: 'side-history' }, html`<${History} version=${version} />`);
  section.draw = () => render(html`<${History} version=${++version} />`, section);
  return section;
}
