// An editable table of key/value rows with a checkbox each (query params, headers, form
// fields, environment variables): edits call `onChange` with the rows. An empty last row is
// always there to type into; typing in it makes it a row in place (the input keeps the focus)
// and adds a new empty one below.
const { el } = window.vayuDom;

// `rows` is changed in place; `opts.id` names the table for tests and `opts.toggle` adds the
// enable checkbox.
export function kvTable(rows, onChange, opts = {}) {
  const { toggle = true, id, placeholder = ['key', 'value'] } = opts;
  const body = el('tbody', {});
  const table = el('table', id ? { class: 'kv', id } : { class: 'kv' }, body);
  // One row's <tr>; `r` is null for the empty last row until something is typed in it.
  const line = (r) => {
    const tr = el('tr', {});
    const box = el('input', { type: 'checkbox', class: 'enabled', title: 'send this row' });
    const remove = el('button', { class: 'icon remove', title: 'remove' }, '×');
    const adopt = () => {
      if (r) return;
      r = { key: '', value: '', enabled: true };
      rows.push(r);
      box.disabled = false;
      remove.hidden = false;
      body.append(line(null));
    };
    const cell = (field, ph) => {
      const input = el('input', { type: 'text', class: field, placeholder: ph, spellcheck: 'false', value: r ? r[field] : '' });
      input.addEventListener('input', () => {
        adopt();
        r[field] = input.value;
        onChange(rows);
      });
      return el('td', {}, input);
    };
    box.checked = !r || r.enabled;
    box.disabled = !r;
    box.addEventListener('change', () => { r.enabled = box.checked; onChange(rows); });
    remove.hidden = !r;
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(r), 1);
      tr.remove();
      onChange(rows);
    });
    if (toggle) tr.append(el('td', { class: 'narrow' }, box));
    tr.append(cell('key', placeholder[0]), cell('value', placeholder[1]), el('td', { class: 'narrow' }, remove));
    return tr;
  };
  body.append(...rows.map(line), line(null));
  return table;
}
