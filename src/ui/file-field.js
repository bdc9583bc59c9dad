// Files a request sends (a form-data part, a file body): picked in the page and kept as the API
// takes them, `{name, contentType, base64}`. The bytes travel in the request's JSON, so a file
// is bounded by the engine's body limit (8 MiB of JSON, about 6 MiB of file).
import { html, useReducer, useRef, useState } from './components.js';
import { rowKey } from './row-keys.js';

// A picked file as the API takes it.
function read(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, contentType: file.type || 'application/octet-stream', base64: String(reader.result).split(',')[1] || '' });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

const size = (base64) => {
  const n = Math.floor(base64.length * 3 / 4);
  return n < 1024 ? n + ' B' : (n / 1024).toFixed(1) + ' KB';
};

// A file picker showing the file chosen (`current`, then the one picked); `onFile(file)` with
// the file read. The <span class="file-field"> is the caller's.
function FilePicker({ current, onFile, id }) {
  const [shown, setShown] = useState(current);
  const picked = async (e) => {
    const input = e.currentTarget;
    if (!input.files[0]) return;
    const file = await read(input.files[0]);
    setShown(file);
    onFile(file);
  };
  return html`<input type="file" class="file-input" id=${id} onChange=${picked} />
    <span class="file-name">${shown ? `${shown.name} (${size(shown.base64)})` : 'no file chosen'}</span>`;
}

export const FileField = (props) => html`<span class="file-field"><${FilePicker} ...${props} /></span>`;

// The form-data rows (`rows`, changed in place): a checkbox, the key, text or file, the value
// or the file, and remove; an empty last row to type into, as the other tables have (its key
// passes to the row it becomes, so the focus stays, as in kv-table.js).
export function FormDataBody({ rows, onChange }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const emptyKey = useRef(null);
  if (emptyKey.current === null) emptyKey.current = rowKey();
  const line = (r) => {
    const key = r ? rowKey(r) : emptyKey.current;
    // Each edit first makes the empty row a row.
    const edit = (apply) => (arg) => {
      if (!r) {
        r = { key: '', value: '', enabled: true, type: 'text', file: null };
        rows.push(r);
        rowKey(r, emptyKey.current);
        emptyKey.current = rowKey();
      }
      apply(arg);
      onChange();
      redraw();
    };
    const type = r ? r.type : 'text';
    const remove = () => { if (!r) return; rows.splice(rows.indexOf(r), 1); onChange(); redraw(); };
    return html`<tr key=${key}>
      <td class="narrow"><input type="checkbox" class="enabled" title="send this part" checked=${!r || r.enabled}
        onChange=${edit((e) => { r.enabled = e.currentTarget.checked; })} /></td>
      <td><input type="text" class="key" placeholder="key" spellcheck=${false} value=${r ? r.key : ''}
        onInput=${edit((e) => { r.key = e.currentTarget.value; })} /></td>
      <td class="narrow"><select class="part-type" value=${type} onChange=${edit((e) => { r.type = e.currentTarget.value; })}>
        <option value="text">text</option><option value="file">file</option></select></td>
      <td>${type === 'file'
        ? html`<${FileField} current=${r && r.file} onFile=${edit((file) => { r.file = file; })} />`
        : html`<input type="text" class="value" placeholder="value" spellcheck=${false} value=${r ? r.value : ''}
            onInput=${edit((e) => { r.value = e.currentTarget.value; })} />`}</td>
      <td class="narrow"><button class="icon remove" title="remove" onClick=${remove}>×</button></td>
    </tr>`;
  };
  // One list, so the empty row and the row it becomes are siblings Preact matches by key.
  return html`<tbody>${[...rows.map(line), line(null)]}</tbody>`;
}

