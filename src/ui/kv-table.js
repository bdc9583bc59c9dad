// An editable table of key/value rows with a checkbox each (query params, headers, form
// fields, environment variables): edits call `onChange` with the rows. An empty last row is
// always there to type into; typing in it makes it a row in place (the input keeps the focus)
// and adds a new empty one below.
import { html, useReducer, useRef } from './components.js';
import { rowKey } from './row-keys.js';

// The rows of `rows` (changed in place, as the request model keeps them) and the empty one.
// The empty row's key passes to the row typed into it, so Preact keeps its <tr> and the
// focused input, and the next empty row gets a new key.
export function KvBody({ rows, onChange, toggle = true, placeholder = ['key', 'value'] }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const emptyKey = useRef(null);
  if (emptyKey.current === null) emptyKey.current = rowKey();
  const changed = () => { onChange(rows); redraw(); };
  const line = (r) => {
    const key = r ? rowKey(r) : emptyKey.current;
    const edit = (field) => (e) => {
      if (!r) {
        r = { key: '', value: '', enabled: true };
        rows.push(r);
        rowKey(r, emptyKey.current);
        emptyKey.current = rowKey();
      }
      r[field] = e.currentTarget.value;
      changed();
    };
    const cell = (field, ph) => html`<td><input type="text" class=${field} placeholder=${ph} spellcheck=${false}
      value=${r ? r[field] : ''} onInput=${edit(field)} /></td>`;
    const enable = (e) => { r.enabled = e.currentTarget.checked; changed(); };
    const remove = () => { rows.splice(rows.indexOf(r), 1); changed(); };
    return html`<tr key=${key}>
      ${toggle && html`<td class="narrow"><input type="checkbox" class="enabled" title="send this row"
        checked=${!r || r.enabled} disabled=${!r} onChange=${enable} /></td>`}
      ${cell('key', placeholder[0])}${cell('value', placeholder[1])}
      <td class="narrow"><button class="icon remove" title="remove" hidden=${!r} onClick=${remove}>×</button></td>
    </tr>`;
  };
  // One list, so the empty row and the row it becomes are siblings Preact matches by key.
  return html`<tbody>${[...rows.map(line), line(null)]}</tbody>`;
}

