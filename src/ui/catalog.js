// What is saved in the engine, as the sidebar and the pickers show it: collections and their
// folders, requests, environments. Read from the API and read again after every change, so the
// page never keeps its own copy of the truth for long.
import { api } from './api.js';

export const catalog = { collections: [], requests: [], environments: [] };
const listeners = new Set();
export const onCatalog = (f) => listeners.add(f);

export async function refresh() {
  const [c, r, e] = await Promise.all([api('GET', '/collections?all=true'), api('GET', '/requests'), api('GET', '/environments')]);
  catalog.collections = c.items;
  catalog.requests = r.items;
  catalog.environments = e.items;
  for (const f of listeners) f();
}

export const environment = (id) => catalog.environments.find((e) => e.id === id) || null;

// A folder's path from its collection down, for pickers ("Shop / Checkout").
export function folderPath(id) {
  const parts = [];
  for (let c = catalog.collections.find((x) => x.id === id); c; c = catalog.collections.find((x) => x.id === c.parentId)) {
    parts.unshift(c.name);
  }
  return parts.join(' / ');
}

// The folder a collection run starts from: the collection a folder is in.
export function rootOf(id) {
  let c = catalog.collections.find((x) => x.id === id);
  while (c && c.parentId) c = catalog.collections.find((x) => x.id === c.parentId);
  return c || null;
}

// The auth a request in folder `id` inherits: the nearest folder or collection up the tree with
// an auth of its own (`{type: 'noauth'}` included: it ends the search), and which one it is.
export function inheritedAuth(id) {
  for (let c = catalog.collections.find((x) => x.id === id); c; c = catalog.collections.find((x) => x.id === c.parentId)) {
    if (c.auth) return { auth: c.auth, from: c };
  }
  return null;
}
