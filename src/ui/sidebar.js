// The sidebar's collections tree: collections, their folders and requests, as saved in the
// engine. Create, rename (in place), delete, duplicate, move a request or a folder by dragging
// it onto a folder, open a request in a tab, run or export a collection. Environments and history are in
// their own modules; this draws the tree and its buttons.
import { api } from './api.js';
import { catalog, refresh } from './catalog.js';
import { openTab, state, changed } from './state.js';
import { blank, fromRequest, writable } from './request-model.js';
import { folderAuthPanel } from './auth-form.js';
import { importFiles, exportCollection, runnerPanel, notice } from './collection-tools.js';
import { html, mount, render, useEffect, useRef, useState } from './components.js';

// What is renamed in place now: `{ id, current }` (an id of a collection, folder or request).
let renaming = null;
let redrawTree = () => {};

// The name box that stands for a name being edited: Enter or leaving it calls `done(name)` with
// the new name (not when it is empty or unchanged); Escape cancels.
function NameBox({ current, done }) {
  const ref = useRef(null);
  const over = useRef(false);
  useEffect(() => { ref.current.focus(); ref.current.select(); }, []);
  const finish = (commit) => {
    if (over.current) return;
    over.current = true;
    const name = ref.current.value.trim();
    renaming = null;
    redrawTree();
    if (commit && name && name !== current) done(name);
  };
  const key = (e) => {
    if (e.key === 'Enter') finish(true);
    if (e.key === 'Escape') finish(false);
  };
  return html`<input type="text" class="rename" value=${current} ref=${ref} onKeyDown=${key} onBlur=${() => finish(true)}
    onClick=${(e) => e.stopPropagation()} />`;
}

// A name, or its box while it is renamed.
function Name({ id, name, done }) {
  if (renaming && renaming.id === id) return html`<${NameBox} current=${name} done=${done} />`;
  return html`<span class="name">${name}</span>`;
}

const rename = (id) => { renaming = { id }; redrawTree(); };

// A button in a node: its click is the button's only (the node's own click opens or folds it).
const Button = ({ cls, title, text, act }) =>
  html`<button class=${'icon ' + cls} title=${title} onClick=${(e) => { e.stopPropagation(); act(e); }}>${text}</button>`;

async function openSaved(id) {
  const saved = await api('GET', '/requests/' + id);
  openTab(fromRequest(saved), saved.id, saved.collectionId);
}

async function duplicate(r) {
  const fields = writable(await api('GET', '/requests/' + r.id));
  await api('POST', '/requests', { ...fields, name: fields.name + ' copy' });
  await refresh();
}

// Moves a saved request into `collectionId` (the whole request is written back, as PUT takes it).
async function move(requestId, collectionId) {
  const fields = writable(await api('GET', '/requests/' + requestId));
  if (fields.collectionId === collectionId) return;
  try {
    await api('PUT', '/requests/' + requestId, { ...fields, collectionId });
  } catch (e) {
    notice('Not moved: ' + e.message, true);
    return;
  }
  for (const t of state.tabs) if (t.savedId === requestId) t.collectionId = collectionId;
  changed('tabs');
  await refresh();
}

async function moveFolder(id, parentId) {
  const folder = catalog.collections.find((x) => x.id === id);
  if (!folder || id === parentId || folder.parentId === parentId) return;
  try {
    await api('PUT', '/collections/' + id, { name: folder.name, parentId });
  } catch (e) {
    notice('Not moved: ' + e.message, true);
  }
  await refresh();
}

function RequestNode({ r }) {
  const renamed = async (n) => {
    const fields = writable(await api('GET', '/requests/' + r.id));
    await api('PUT', '/requests/' + r.id, { ...fields, name: n });
    await refresh();
  };
  const remove = async () => {
    if (!confirm(`Delete the request ${r.name}?`)) return;
    await api('DELETE', '/requests/' + r.id);
    await refresh();
  };
  return html`<li class="request" data-request=${r.id}>
    <div class="node" draggable="true" onClick=${() => openSaved(r.id)}
      onDragStart=${(e) => e.dataTransfer.setData('text/x-vayu-request', r.id)}>
      <span class=${'method m-' + r.method.toLowerCase()}>${r.method}</span><${Name} id=${r.id} name=${r.name} done=${renamed} />
      <span class="actions"><${Button} cls="duplicate" title="duplicate" text="❐" act=${() => duplicate(r)} />
        <${Button} cls="rename" title="rename" text="✎" act=${() => rename(r.id)} />
        <${Button} cls="delete" title="delete" text="✕" act=${remove} /></span></div></li>`;
}

const DRAGGED = ['text/x-vayu-request', 'text/x-vayu-folder'];

function FolderNode({ c }) {
  const [closed, setClosed] = useState(false);
  const newRequest = () => {
    const model = blank();
    model.auth = { type: 'inherit' };
    openTab(model, null, c.id);
  };
  const newFolder = async () => {
    await api('POST', '/collections', { name: 'New folder', parentId: c.id });
    await refresh();
  };
  const renamed = async (n) => {
    await api('PUT', '/collections/' + c.id, { name: n, parentId: c.parentId });
    await refresh();
  };
  const remove = async () => {
    if (!confirm(`Delete ${c.name} and everything in it?`)) return;
    await api('DELETE', '/collections/' + c.id);
    await refresh();
  };
  // A folder is dragged too (into another folder or collection; the engine refuses a cycle).
  const dragStart = (e) => { e.stopPropagation(); e.dataTransfer.setData('text/x-vayu-folder', c.id); };
  const dragOver = (e) => { if (DRAGGED.some((t) => e.dataTransfer.types.includes(t))) e.preventDefault(); };
  const drop = (e) => {
    e.preventDefault();
    e.stopPropagation();
    const folder = e.dataTransfer.getData('text/x-vayu-folder');
    if (folder) moveFolder(folder, c.id);
    else move(e.dataTransfer.getData('text/x-vayu-request'), c.id);
  };
  const sub = catalog.collections.filter((x) => x.parentId === c.id);
  const requests = catalog.requests.filter((x) => x.collectionId === c.id);
  return html`<li class=${closed ? 'folder closed' : 'folder'} data-collection=${c.id}>
    <div class="node folder-node" draggable=${c.parentId ? 'true' : undefined} onClick=${() => setClosed(!closed)}
      onDragStart=${c.parentId ? dragStart : undefined} onDragOver=${dragOver} onDrop=${drop}>
      <span class="caret"></span><${Name} id=${c.id} name=${c.name} done=${renamed} />
      <span class="actions"><${Button} cls="new-request" title="new request" text="+" act=${newRequest} />
        <${Button} cls="new-folder" title="new folder" text="⊞" act=${newFolder} />
        <${Button} cls="auth" title="the auth its requests inherit" text="⚷" act=${() => folderAuthPanel(c)} />
        <${Button} cls="run" title=${c.parentId ? 'run this folder' : 'run the collection'} text="▶" act=${() => runnerPanel(c)} />
        ${!c.parentId && html`<${Button} cls="load" title="a load test of the collection as a journey" text="⚡"
          act=${() => { location.hash = '#/load/collection/' + c.id; }} />`}
        ${!c.parentId && html`<${Button} cls="export" title="export as Postman v2.1" text="⇩" act=${() => exportCollection(c)} />`}
        <${Button} cls="rename" title="rename" text="✎" act=${() => rename(c.id)} />
        <${Button} cls="delete" title="delete with everything in it" text="✕" act=${remove} /></span></div>
    <ul>${sub.map((f) => html`<${FolderNode} key=${f.id} c=${f} />`)}${requests.map((r) => html`<${RequestNode} key=${r.id} r=${r} />`)}</ul></li>`;
}

// The inside of the tree's section, as the catalog has it now.
function Collections() {
  const picker = useRef(null);
  const newCollection = async () => {
    const c = await api('POST', '/collections', { name: 'New collection' });
    await refresh();
    rename(c.id);
  };
  const picked = () => importFiles([...picker.current.files]).finally(() => { picker.current.value = ''; });
  const roots = catalog.collections.filter((c) => !c.parentId);
  const loose = catalog.requests.filter((r) => !r.collectionId);
  return html`<header><h3>Collections</h3>
      <${Button} cls="new-collection" title="new collection" text="+" act=${newCollection} />
      <button class="small" id="import" onClick=${() => picker.current.click()}>Import</button>
      <input type="file" id="import-file" accept=".json,.yaml,.yml,.har,.txt,.sh,.curl" multiple hidden ref=${picker} onChange=${picked} /></header>
    <ul class="tree" id="tree">
      ${roots.map((c) => html`<${FolderNode} key=${c.id} c=${c} />`)}${loose.map((r) => html`<${RequestNode} key=${r.id} r=${r} />`)}
      ${!roots.length && !loose.length && html`<li class="empty">No collections yet: + makes one, Import reads a Postman collection, an OpenAPI document, a HAR recording or curl commands.</li>`}
    </ul>`;
}

// The tree's section; `draw` redraws it from the catalog. A file dropped on it is imported, as
// one picked.
export function collectionsSection() {
  const section = mount('section', { class: 'side-collections' }, html`<${Collections} />`);
  redrawTree = () => render(html`<${Collections} />`, section);
  section.draw = redrawTree;
  section.addEventListener('dragover', (e) => { if (e.dataTransfer.types.includes('Files')) e.preventDefault(); });
  section.addEventListener('drop', (e) => {
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    importFiles([...e.dataTransfer.files]);
  });
  return section;
}
