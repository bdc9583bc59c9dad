// The auth editor: a type picked from every type the engine takes and its fields, for a request
// or a folder. "inherit" (a request in a collection, or a folder) takes the auth of the nearest
// folder or collection up the tree that has one, shown with where it comes from; "no auth"
// sends none, even under a folder that has one.
import { AUTH_FIELDS, AUTH_FLAGS, AUTH_CHOICES, AUTH_LONG, authSpec } from './request-model.js';
import { folderPath, inheritedAuth, refresh } from './catalog.js';
import { api } from './api.js';
import { showView, closePanel } from './panel.js';
import { html, useReducer, useState } from './components.js';

// One field of auth `a` (changed in place, then `touch()`), drawn by what it holds.
function Field({ a, f, touch }) {
  const id = 'auth-' + f;
  const set = (v) => { a[f] = v; touch(); };
  let input;
  if (AUTH_CHOICES[f]) {
    if (!a[f]) a[f] = AUTH_CHOICES[f][0];
    input = html`<select id=${id} value=${a[f]} onInput=${(e) => set(e.currentTarget.value)}>
      ${AUTH_CHOICES[f].map((c) => html`<option value=${c}>${c}</option>`)}</select>`;
  } else if (AUTH_FLAGS.has(f)) {
    input = html`<input type="checkbox" id=${id} checked=${a[f] === true} onChange=${(e) => set(e.currentTarget.checked)} />`;
  } else if (AUTH_LONG.has(f)) {
    input = html`<textarea id=${id} rows="3" spellcheck=${false} value=${a[f] || ''} onInput=${(e) => set(e.currentTarget.value)} />`;
  } else {
    input = html`<input type=${/password|secret/i.test(f) ? 'password' : 'text'} id=${id} value=${a[f] || ''} spellcheck=${false}
      onInput=${(e) => set(e.currentTarget.value)} />`;
  }
  return html`<label class=${AUTH_LONG.has(f) ? 'wide' : ''}>${f} ${input}</label>`;
}

// What "inherit" comes to: `inherited` is `{auth, from}` (catalog.inheritedAuth) or null.
function Inherited({ inherited }) {
  if (!inherited || inherited.auth.type === 'noauth') {
    const where = inherited ? ` (${folderPath(inherited.from.id)} says no auth)` : '';
    return html`<p class="hint" id="auth-inherited">No auth is inherited${where}.</p>`;
  }
  return html`<p class="hint" id="auth-inherited">Inherits <b>${inherited.auth.type}</b> from <b>${folderPath(inherited.from.id)}</b>
    ${' '}(set it on the folder in the tree).</p>`;
}

// The inside of <div id="auth-pane">: the editor of auth `a` (changed in place; `touch()` after
// each edit). `inherit` offers the inherit choice, resolved as `inherited` says.
export function AuthFields({ a, touch, inherit = false, inherited = null }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const types = [...(inherit ? ['inherit'] : []), ...Object.keys(AUTH_FIELDS)];
  const label = (t) => (t === 'none' ? 'no auth' : t === 'inherit' ? 'inherit from parent' : t);
  const pick = (e) => {
    for (const k of Object.keys(a)) delete a[k];
    a.type = e.currentTarget.value;
    touch();
    redraw();
  };
  return html`<label>Type <select id="auth-type" value=${a.type} onChange=${pick}>
      ${types.map((t) => html`<option value=${t}>${label(t)}</option>`)}</select></label>
    <div class="auth-fields">${a.type === 'inherit'
      ? html`<${Inherited} inherited=${inherited} />`
      : AUTH_FIELDS[a.type].map((f) => html`<${Field} key=${a.type + '.' + f} a=${a} f=${f} touch=${touch} />`)}</div>
    <p class="hint">Variables ({{name}}) are substituted before the request is signed; docs/api.md says what each field does.</p>`;
}

// The auth of folder or collection `c`, edited in a panel and saved with `PUT /collections/{id}`:
// "inherit" (none of its own), "no auth" (none, and its requests inherit none), or its own.
function FolderAuth({ c }) {
  const [a] = useState(() => (!c.auth ? { type: 'inherit' } : c.auth.type === 'noauth' ? { type: 'none' } : { ...c.auth }));
  const [problem, setProblem] = useState(null);
  const save = async () => {
    const auth = a.type === 'inherit' ? null : a.type === 'none' ? { type: 'noauth' } : authSpec(a);
    try {
      await api('PUT', '/collections/' + encodeURIComponent(c.id), { name: c.name, parentId: c.parentId, auth });
      await refresh();
      closePanel();
    } catch (e) {
      setProblem((e.field ? e.field + ': ' : '') + e.message);
    }
  };
  return html`<h2>Auth of ${folderPath(c.id)}</h2>
    <p class="hint">The requests and folders in it that inherit from their parent use it.</p>
    <div id="auth-pane"><${AuthFields} a=${a} touch=${() => {}} inherit=${true} inherited=${c.parentId && inheritedAuth(c.parentId)} /></div>
    <p>${problem && html`<span class="error">${problem}</span>`}</p>
    <p class="buttons"><button class="primary" id="folder-auth-save" onClick=${save}>Save</button>
      <button class="close" onClick=${closePanel}>Close</button></p>`;
}

export function folderAuthPanel(c) {
  showView('folder-auth', html`<${FolderAuth} c=${c} />`);
}
