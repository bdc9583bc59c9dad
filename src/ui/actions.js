// What the workbench's buttons and shortcuts do with the active tab: Send (`POST /request`, with
// the active environment by id so the engine saves back what the scripts set), Save (`POST` or
// `PUT /requests`), Copy as curl (of the saved request) and Load test (the run builder,
// `#/load/<tab>`).
import { api } from './api.js';
import { state, changed, markSaved } from './state.js';
import { refresh, inheritedAuth } from './catalog.js';
import { toSpec, toSaved } from './request-model.js';
import { showCurl } from './curl-panel.js';

const sending = new Set();

// The tab's request as `POST /request` and a load run take it, with the auth its folder gives.
export function specOf(tab) {
  const inherited = tab.collectionId && inheritedAuth(tab.collectionId);
  return toSpec(tab.model, inherited ? inherited.auth : null);
}
export const isSending = (tab) => sending.has(tab.id);

export async function send(tab) {
  if (!tab || sending.has(tab.id)) return;
  const body = { request: specOf(tab) };
  if (state.environmentId) body.environmentId = state.environmentId;
  sending.add(tab.id);
  changed('response');
  try {
    state.responses[tab.id] = await api('POST', '/request', body);
  } catch (e) {
    state.responses[tab.id] = { apiError: (e.field ? e.field + ': ' : '') + e.message };
  } finally {
    sending.delete(tab.id);
  }
  changed('response');
  // The scripts may have changed the environment; the history has one more request.
  await refresh();
  changed('sent');
}

// Saves the tab as a request (a new one the first time); a refusal is shown where the response goes.
export async function save(tab) {
  if (!tab) return;
  const fields = toSaved(tab.model, tab.collectionId);
  try {
    const saved = tab.savedId
      ? await api('PUT', '/requests/' + tab.savedId, fields)
      : await api('POST', '/requests', fields);
    markSaved(tab, saved.id, saved.collectionId);
    await refresh();
  } catch (e) {
    state.responses[tab.id] = { apiError: 'Not saved: ' + (e.field ? e.field + ': ' : '') + e.message };
    changed('response');
  }
}

// The saved request as a curl command, in a panel and on the clipboard (curl-panel.js).
export async function copyAsCurl(tab) {
  if (!tab || !tab.savedId) return;
  const saved = await api('GET', '/requests/' + tab.savedId);
  showCurl(saved.curl || '');
}

export function loadTest(tab) {
  if (tab) location.hash = '#/load/' + tab.id;
}
