// The workbench's state: the open tabs (each a request being edited, with what it was when last
// saved or opened, so unsaved changes show), the active tab and the active environment. Kept in
// localStorage, so the tabs survive a reload; the responses are not kept (they can be large).
import { blank } from './request-model.js';

const KEY = 'vayu-workbench';
const listeners = new Set();

export const state = load();

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY));
    if (saved && Array.isArray(saved.tabs)) {
      // A tab kept by an older page gets the fields added since, staying clean if it was.
      for (const t of saved.tabs) {
        const wasClean = JSON.stringify(t.model) === t.clean;
        t.model = { ...blank(), ...t.model };
        if (wasClean) t.clean = JSON.stringify(t.model);
      }
      return { ...saved, responses: {} };
    }
  } catch (e) { /* a broken entry starts afresh */ }
  return { tabs: [], active: null, environmentId: '', responses: {} };
}

export function persist() {
  const { responses, ...kept } = state;
  try {
    localStorage.setItem(KEY, JSON.stringify(kept));
  } catch (e) {
    // Over the browser's quota (files picked for bodies are kept in the tabs): the tabs as
    // they were last kept survive a reload, the page goes on.
  }
}

// Tells the views something changed (`what`: 'tabs', 'tab', 'environment', 'saved').
export function changed(what) {
  persist();
  for (const f of listeners) f(what);
}

export const onChange = (f) => listeners.add(f);

let next = Date.now();
const newId = () => 't' + (next++).toString(36);

export const activeTab = () => state.tabs.find((t) => t.id === state.active) || null;
export const isDirty = (tab) => JSON.stringify(tab.model) !== tab.clean;

// Opens `model` in a tab (the one already showing saved request `savedId`, if any).
export function openTab(model = blank(), savedId = null, collectionId = null) {
  let tab = savedId && state.tabs.find((t) => t.savedId === savedId);
  if (!tab) {
    tab = { id: newId(), savedId, collectionId, model, clean: savedId ? JSON.stringify(model) : '' };
    state.tabs.push(tab);
  }
  state.active = tab.id;
  changed('tabs');
  return tab;
}

export function closeTab(id) {
  const at = state.tabs.findIndex((t) => t.id === id);
  if (at < 0) return;
  state.tabs.splice(at, 1);
  delete state.responses[id];
  if (state.active === id) state.active = (state.tabs[at] || state.tabs[at - 1] || {}).id || null;
  changed('tabs');
}

// The tab now matches what is saved as `savedId`.
export function markSaved(tab, savedId, collectionId) {
  tab.savedId = savedId;
  tab.collectionId = collectionId;
  tab.clean = JSON.stringify(tab.model);
  changed('saved');
}
