// Files a request sends (a form-data part, a file body): picked in the page and kept as the API
// takes them, `{name, contentType, base64}`. The bytes travel in the request's JSON, so a file
// is bounded by the engine's body limit (8 MiB of JSON, about 6 MiB of file).
const { el } = window.vayuDom;

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

// A file picker showing the file chosen (`current`); `onFile(file)` with the file read.
export function fileField(current, onFile, id) {
  const input = el('input', { type: 'file', class: 'file-input' });
  if (id) input.id = id;
  const label = el('span', { class: 'file-name' }, current ? `${current.name} (${size(current.base64)})` : 'no file chosen');
  input.addEventListener('change', async () => {
    if (!input.files[0]) return;
    const file = await read(input.files[0]);
    label.textContent = `${file.name} (${size(file.base64)})`;
    onFile(file);
  });
  return el('span', { class: 'file-field' }, input, label);
}

// The form-data rows (`rows`, changed in place): a checkbox, the key, text or file, the value
// or the file, and remove; an empty last row to type into, as the other tables have.
export function formDataTable(rows, onChange) {
  const body = el('tbody', {});
  const line = (r) => {
    const tr = el('tr', {});
    const adopt = () => {
      if (r) return;
      r = { key: '', value: '', enabled: true, type: 'text', file: null };
      rows.push(r);
      body.append(line(null));
    };
    const box = el('input', { type: 'checkbox', class: 'enabled', title: 'send this part' });
    box.checked = !r || r.enabled;
    box.addEventListener('change', () => { adopt(); r.enabled = box.checked; onChange(); });
    const key = el('input', { type: 'text', class: 'key', placeholder: 'key', spellcheck: 'false', value: r ? r.key : '' });
    key.addEventListener('input', () => { adopt(); r.key = key.value; onChange(); });
    const kind = el('select', { class: 'part-type' }, el('option', { value: 'text' }, 'text'), el('option', { value: 'file' }, 'file'));
    kind.value = r ? r.type : 'text';
    const valueCell = el('td', {});
    const drawValue = () => {
      if (kind.value === 'file') {
        valueCell.replaceChildren(fileField(r && r.file, (file) => { adopt(); r.file = file; onChange(); }));
      } else {
        const value = el('input', { type: 'text', class: 'value', placeholder: 'value', spellcheck: 'false', value: r ? r.value : '' });
        value.addEventListener('input', () => { adopt(); r.value = value.value; onChange(); });
        valueCell.replaceChildren(value);
      }
    };
    kind.addEventListener('change', () => { adopt(); r.type = kind.value; drawValue(); onChange(); });
    const remove = el('button', { class: 'icon remove', title: 'remove' }, '×');
    remove.addEventListener('click', () => { if (!r) return; rows.splice(rows.indexOf(r), 1); tr.remove(); onChange(); });
    drawValue();
    tr.append(el('td', { class: 'narrow' }, box), el('td', {}, key), el('td', { class: 'narrow' }, kind), valueCell, el('td', { class: 'narrow' }, remove));
    return tr;
  };
  body.append(...rows.map(line), line(null));
  return el('table', { class: 'kv', id: 'form-data-table' }, body);
}
