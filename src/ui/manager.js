// The Manager: the page's entry module. It lays out the workbench (the sidebar's collections,
// environments and history; tabs of open requests with unsaved marks; the request editor and
// the response pane), routes `#/work` (the default) and `#/load/<tab>` itself and the runs pages
// (`#/runs`, `#/run/<id>`, `#/new`) to the dashboard (app.js), and binds the keyboard:
// Ctrl/Cmd+Enter sends, Ctrl/Cmd+S saves.
import { route as dashboard, leave as leaveDashboard } from './app.js';
import { api } from './api.js';
import { state, onChange, activeTab, isDirty, openTab, closeTab, changed } from './state.js';
import { refresh, onCatalog } from './catalog.js';
import { collectionsSection } from './sidebar.js';
import { environmentsSection, environmentPicker } from './environments.js';
import { historySection } from './history.js';
import { requestEditor, folderOptions, variablesLine } from './request-editor.js';
import { responsePane } from './response-pane.js';
import { loadBuilder } from './load-builder.js';
import { send, save, loadTest, copyAsCurl, isSending, specOf } from './actions.js';
import { closePanel } from './panel.js';
import { showEngine } from './engine-info.js';
import { html, render } from './components.js';

const workbench = document.getElementById('workbench');
const app = document.getElementById('app');

// The workbench's frame, drawn once: the sidebar's sections and the header's picker are
// elements their modules keep (each redraws itself when told), put in here; the tab bar, the
// editor and the response pane are drawn into their own elements as things change.
render(html`<aside id="sidebar"></aside>
  <section id="main"><div class="tabs" id="tabs"></div><div class="editor" id="editor"></div><div class="response" id="response"></div></section>`, workbench);
const tree = collectionsSection();
const environments = environmentsSection();
const history = historySection();
const picker = environmentPicker();
const tabBar = document.getElementById('tabs');
const editorRoot = document.getElementById('editor');
const responseRoot = document.getElementById('response');
document.getElementById('sidebar').append(tree, environments, history);
document.getElementById('environment-slot').append(picker);

const actions = {
  send: () => send(activeTab()),
  save: () => save(activeTab()),
  loadTest: () => loadTest(activeTab()),
  copyAsCurl: () => copyAsCurl(activeTab()).catch((e) => { document.getElementById('notice').textContent = e.message; }),
};
// The same shortcuts inside a code editor, which would otherwise take the keys.
const keys = [
  { key: 'Mod-Enter', run: () => { actions.send(); return true; } },
  { key: 'Mod-s', run: () => { actions.save(); return true; } },
];

// One open tab: its method and name, the unsaved mark, and close (which asks first when there
// are unsaved changes).
function Tab({ t }) {
  const dirty = isDirty(t);
  const close = (e) => {
    e.stopPropagation();
    if (dirty && !confirm(`Close ${t.model.name} without saving?`)) return;
    closeTab(t.id);
  };
  return html`<div class=${'tab' + (t.id === state.active ? ' on' : '') + (dirty ? ' dirty' : '')} data-tab=${t.id}
    title=${dirty ? 'unsaved changes' : t.model.url} onClick=${() => { state.active = t.id; changed('tabs'); }}>
    <span class=${'method m-' + t.model.method.toLowerCase()}>${t.model.method}</span><span class="name">${t.model.name}</span>
    <span class="mark">${dirty ? '●' : ''}</span><button class="icon close" title="close" onClick=${close}>×</button></div>`;
}

function drawTabs() {
  render(html`${state.tabs.map((t) => html`<${Tab} key=${t.id} t=${t} />`)}
    <button class="icon" id="new-tab" title="new request" onClick=${() => openTab()}>+</button>`, tabBar);
}

const EmptyState = () => html`<div class="empty-state"><h2>No request open</h2>
  <p>Open one from a collection, reopen one from the history, or start a new one.</p>
  <button class="primary" id="first-request" onClick=${() => openTab()}>New request</button></div>`;

function drawEditor() {
  const tab = activeTab();
  if (tab) requestEditor(editorRoot, tab, actions, keys);
  else render(html`<${EmptyState} />`, editorRoot);
}

function drawResponse() {
  const tab = activeTab();
  // (Preact drew it: told to clear it, so the next response is drawn against what is there.)
  if (!tab) return render(null, responseRoot);
  responsePane(responseRoot, tab, state.responses[tab.id], isSending(tab), specOf(tab));
}

onChange((what) => {
  if (what === 'tabs') { closePanel(); drawTabs(); drawEditor(); drawResponse(); }
  if (what === 'tab' || what === 'saved') drawTabs();
  if (what === 'saved' && document.getElementById('copy-curl')) document.getElementById('copy-curl').disabled = !(activeTab() || {}).savedId;
  if (what === 'response') drawResponse();
  if (what === 'environment') { picker.draw(); environments.draw(); drawEditor(); }
  if (what === 'sent') history.draw();
});
onCatalog(() => {
  tree.draw();
  environments.draw();
  picker.draw();
  const folder = document.getElementById('request-collection');
  if (folder && activeTab()) folderOptions(folder, activeTab());
  redrawVariables();
});

// The request's variables as the environment now has them (read at start, or set by a script).
function redrawVariables() {
  const line = document.getElementById('variables');
  if (line && activeTab()) line.replaceWith(variablesLine(activeTab()));
  const url = document.getElementById('url');
  if (url && url.lineEditor) url.lineEditor.refresh();
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || workbench.hidden) return;
  if (e.key === 'Enter') { e.preventDefault(); actions.send(); }
  if (e.key === 's' || e.key === 'S') { e.preventDefault(); actions.save(); }
});

async function route() {
  const [, page, id, sub] = (location.hash || '#/work').split('/');
  const onWorkbench = page === 'work' || page === undefined || page === '';
  workbench.hidden = !onWorkbench;
  app.hidden = onWorkbench;
  for (const a of document.querySelectorAll('#top a')) a.classList.toggle('on', a.getAttribute('href') === '#/' + (page || 'work'));
  closePanel();
  if (page !== 'run' && page !== 'runs' && page !== 'new') leaveDashboard();
  if (onWorkbench) {
    document.body.setAttribute('data-page', 'work');
    api('GET', '/health').then((h) => {
      document.getElementById('engine').textContent = `vayu-engine ${h.version} · ${h.workers} workers · ${h.activeRuns} active`;
    }).catch(() => {});
    return;
  }
  document.body.setAttribute('data-page', page);
  if (page === 'load') {
    app.replaceChildren();
    // The catalog first: a collection's builder names it, and a reload lands here too.
    await refreshed;
    if (id === 'collection') loadBuilder(app, null, decodeURIComponent(sub || ''));
    else loadBuilder(app, decodeURIComponent(id || ''));
    app.setAttribute('data-page', 'load');
    return;
  }
  await dashboard();
}

const refreshed = refresh().then(() => history.draw()).catch((e) => {
  document.getElementById('notice').textContent = e.message;
});
window.addEventListener('hashchange', route);
document.getElementById('engine').addEventListener('click', () => {
  if (workbench.hidden) location.hash = '#/work';
  showEngine().catch((e) => { document.getElementById('notice').textContent = e.message; });
});
drawTabs();
drawEditor();
drawResponse();
route();
