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

const { el } = window.vayuDom;

// Replaces `label` with an input holding `current`; Enter or leaving it calls `done(name)`
// with the new name (not when it is empty or unchanged); Escape cancels.
export function editName(label, current, done) {
  const input = el('input', { type: 'text', class: 'rename', value: current });
  let over = false;
  const finish = (commit) => {
    if (over) return;
    over = true;
    input.replaceWith(label);
    const name = input.value.trim();
    if (commit && name && name !== current) done(name);
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') finish(true);
    if (e.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(true));
  label.replaceWith(input);
  input.focus();
  input.select();
}

const button = (cls, title, text, onclick) =>
  el('button', { class: 'icon ' + cls, title, onclick: (e) => { e.stopPropagation(); onclick(e); } }, text);

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

function requestNode(r) {
  const name = el('span', { class: 'name' }, r.name);
  const node = el('div', { class: 'node', draggable: 'true', onclick: () => openSaved(r.id) },
    el('span', { class: 'method m-' + r.method.toLowerCase() }, r.method), name,
    el('span', { class: 'actions' },
      button('duplicate', 'duplicate', '❐', () => duplicate(r)),
      button('rename', 'rename', '✎', () => editName(name, r.name, async (n) => {
        const fields = writable(await api('GET', '/requests/' + r.id));
        await api('PUT', '/requests/' + r.id, { ...fields, name: n });
        await refresh();
      })),
      button('delete', 'delete', '✕', async () => {
        if (!confirm(`Delete the request ${r.name}?`)) return;
        await api('DELETE', '/requests/' + r.id);
        await refresh();
      })));
  node.addEventListener('dragstart', (e) => e.dataTransfer.setData('text/x-vayu-request', r.id));
  return el('li', { class: 'request', 'data-request': r.id }, node);
}

function folderNode(c) {
  const name = el('span', { class: 'name' }, c.name);
  const children = el('ul', {});
  const node = el('div', { class: 'node folder-node', onclick: () => li.classList.toggle('closed') },
    el('span', { class: 'caret' }), name,
    el('span', { class: 'actions' },
      button('new-request', 'new request', '+', () => {
        const model = blank();
        model.auth = { type: 'inherit' };
        openTab(model, null, c.id);
      }),
      button('new-folder', 'new folder', '⊞', async () => {
        await api('POST', '/collections', { name: 'New folder', parentId: c.id });
        await refresh();
      }),
      button('auth', 'the auth its requests inherit', '⚷', () => folderAuthPanel(c)),
      button('run', c.parentId ? 'run this folder' : 'run the collection', '▶', () => runnerPanel(c)),
      c.parentId ? '' : button('load', 'a load test of the collection as a journey', '⚡', () => { location.hash = '#/load/collection/' + c.id; }),
      c.parentId ? '' : button('export', 'export as Postman v2.1', '⇩', () => exportCollection(c)),
      button('rename', 'rename', '✎', () => editName(name, c.name, async (n) => {
        await api('PUT', '/collections/' + c.id, { name: n, parentId: c.parentId });
        await refresh();
      })),
      button('delete', 'delete with everything in it', '✕', async () => {
        if (!confirm(`Delete ${c.name} and everything in it?`)) return;
        await api('DELETE', '/collections/' + c.id);
        await refresh();
      })));
  // A folder is dragged too (into another folder or collection; the engine refuses a cycle).
  if (c.parentId) {
    node.setAttribute('draggable', 'true');
    node.addEventListener('dragstart', (e) => { e.stopPropagation(); e.dataTransfer.setData('text/x-vayu-folder', c.id); });
  }
  node.addEventListener('dragover', (e) => {
    if (['text/x-vayu-request', 'text/x-vayu-folder'].some((t) => e.dataTransfer.types.includes(t))) e.preventDefault();
  });
  node.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    const folder = e.dataTransfer.getData('text/x-vayu-folder');
    if (folder) moveFolder(folder, c.id);
    else move(e.dataTransfer.getData('text/x-vayu-request'), c.id);
  });
  const li = el('li', { class: 'folder', 'data-collection': c.id }, node, children);
  for (const sub of catalog.collections.filter((x) => x.parentId === c.id)) children.append(folderNode(sub));
  for (const r of catalog.requests.filter((x) => x.collectionId === c.id)) children.append(requestNode(r));
  return li;
}

// The tree's section; `draw` redraws it from the catalog.
export function collectionsSection() {
  const tree = el('ul', { class: 'tree', id: 'tree' });
  const picker = el('input', { type: 'file', id: 'import-file', accept: '.json,.yaml,.yml,.har,.txt,.sh,.curl', multiple: 'true', hidden: 'true' });
  picker.addEventListener('change', () => importFiles([...picker.files]).finally(() => { picker.value = ''; }));
  const section = el('section', { class: 'side-collections' },
    el('header', {}, el('h3', {}, 'Collections'),
      button('new-collection', 'new collection', '+', async () => {
        const c = await api('POST', '/collections', { name: 'New collection' });
        await refresh();
        const label = tree.querySelector(`li[data-collection="${c.id}"] > .node .name`);
        if (label) editName(label, c.name, async (n) => { await api('PUT', '/collections/' + c.id, { name: n }); await refresh(); });
      }),
      el('button', { class: 'small', id: 'import', onclick: () => picker.click() }, 'Import'), picker),
    tree);
  // A file dropped on the tree is imported, as one picked.
  section.addEventListener('dragover', (e) => { if (e.dataTransfer.types.includes('Files')) e.preventDefault(); });
  section.addEventListener('drop', (e) => {
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    importFiles([...e.dataTransfer.files]);
  });
  section.draw = () => {
    const roots = catalog.collections.filter((c) => !c.parentId);
    const loose = catalog.requests.filter((r) => !r.collectionId);
    tree.replaceChildren(...roots.map(folderNode), ...loose.map(requestNode));
    if (!roots.length && !loose.length) tree.append(el('li', { class: 'empty' }, 'No collections yet: + makes one, Import reads a Postman collection, an OpenAPI document, a HAR recording or curl commands.'));
  };
  return section;
}
