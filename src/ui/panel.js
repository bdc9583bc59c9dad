// One panel over the workbench's main pane (the environment editor, the collection runner's
// form): opening one closes the one before.
const { el } = window.vayuDom;

let open = null;

export function showPanel(id, ...children) {
  closePanel();
  open = el('div', { class: 'panel', id }, ...children);
  document.getElementById('workbench').append(open);
  const first = open.querySelector('input, select, textarea');
  if (first) first.focus();
}

export function closePanel() {
  if (open) open.remove();
  open = null;
}
