// The auth editor: a type picked from every type the engine takes and its fields, for a request
// or a folder. "inherit" (a request in a collection, or a folder) takes the auth of the nearest
// folder or collection up the tree that has one, shown with where it comes from; "no auth"
// sends none, even under a folder that has one.
import { AUTH_FIELDS, AUTH_FLAGS, AUTH_CHOICES, AUTH_LONG, authSpec } from './request-model.js';
import { folderPath, inheritedAuth, refresh } from './catalog.js';
import { api } from './api.js';
import { showPanel, closePanel } from './panel.js';

const { el } = window.vayuDom;

function fieldInput(a, f, touch) {
  let input;
  if (AUTH_CHOICES[f]) {
    input = el('select', {}, ...AUTH_CHOICES[f].map((c) => el('option', { value: c }, c)));
    if (!a[f]) a[f] = AUTH_CHOICES[f][0];
    input.value = a[f];
  } else if (AUTH_FLAGS.has(f)) {
    input = el('input', { type: 'checkbox' });
    input.checked = a[f] === true;
  } else if (AUTH_LONG.has(f)) {
    input = el('textarea', { rows: '3', spellcheck: 'false' });
    input.value = a[f] || '';
  } else {
    input = el('input', { type: /password|secret/i.test(f) ? 'password' : 'text', value: a[f] || '', spellcheck: 'false' });
  }
  input.id = 'auth-' + f;
  input.addEventListener(AUTH_FLAGS.has(f) ? 'change' : 'input', () => { a[f] = AUTH_FLAGS.has(f) ? input.checked : input.value; touch(); });
  return el('label', { class: AUTH_LONG.has(f) ? 'wide' : '' }, f, ' ', input);
}

// What "inherit" comes to: `inherited` is `{auth, from}` (catalog.inheritedAuth) or null.
function inheritedLine(inherited) {
  if (!inherited || inherited.auth.type === 'noauth') {
    const where = inherited ? ` (${folderPath(inherited.from.id)} says no auth)` : '';
    return el('p', { class: 'hint', id: 'auth-inherited' }, 'No auth is inherited' + where + '.');
  }
  return el('p', { class: 'hint', id: 'auth-inherited' }, 'Inherits ', el('b', {}, inherited.auth.type), ' from ',
    el('b', {}, folderPath(inherited.from.id)), ' (set it on the folder in the tree).');
}

// The editor of auth `a` (changed in place; `touch()` after each edit). `inherit` offers the
// inherit choice, resolved as `inherited` says.
export function authForm(a, touch, { inherit = false, inherited = null } = {}) {
  const types = [...(inherit ? ['inherit'] : []), ...Object.keys(AUTH_FIELDS)];
  const label = (t) => (t === 'none' ? 'no auth' : t === 'inherit' ? 'inherit from parent' : t);
  const type = el('select', { id: 'auth-type' }, ...types.map((t) => el('option', { value: t }, label(t))));
  type.value = a.type;
  const fields = el('div', { class: 'auth-fields' });
  const draw = () => {
    if (a.type === 'inherit') fields.replaceChildren(inheritedLine(inherited));
    else fields.replaceChildren(...AUTH_FIELDS[a.type].map((f) => fieldInput(a, f, touch)));
  };
  type.addEventListener('change', () => {
    for (const k of Object.keys(a)) delete a[k];
    a.type = type.value;
    touch();
    draw();
  });
  draw();
  return el('div', { id: 'auth-pane' }, el('label', {}, 'Type ', type), fields,
    el('p', { class: 'hint' }, 'Variables ({{name}}) are substituted before the request is signed; docs/api.md says what each field does.'));
}

// The auth of folder or collection `c`, edited in a panel and saved with `PUT /collections/{id}`:
// "inherit" (none of its own), "no auth" (none, and its requests inherit none), or its own.
export function folderAuthPanel(c) {
  const a = !c.auth ? { type: 'inherit' } : c.auth.type === 'noauth' ? { type: 'none' } : { ...c.auth };
  const problem = el('p', {});
  const save = async () => {
    const auth = a.type === 'inherit' ? null : a.type === 'none' ? { type: 'noauth' } : authSpec(a);
    try {
      await api('PUT', '/collections/' + encodeURIComponent(c.id), { name: c.name, parentId: c.parentId, auth });
      await refresh();
      closePanel();
    } catch (e) {
      problem.replaceChildren(el('span', { class: 'error' }, (e.field ? e.field + ': ' : '') + e.message));
    }
  };
  showPanel('folder-auth', el('h2', {}, 'Auth of ', folderPath(c.id)),
    el('p', { class: 'hint' }, 'The requests and folders in it that inherit from their parent use it.'),
    authForm(a, () => {}, { inherit: true, inherited: c.parentId && inheritedAuth(c.parentId) }), problem,
    el('p', { class: 'buttons' }, el('button', { class: 'primary', id: 'folder-auth-save', onclick: save }, 'Save'),
      el('button', { class: 'close', onclick: closePanel }, 'Close')));
}
