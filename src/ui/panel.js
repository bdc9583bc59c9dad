// One panel over the workbench's main pane (the environment editor, the collection runner's
// form): opening one closes the one before. `showPanel` takes elements (views not yet built
// with components), `showView` a component tree, which closing unmounts.
import { render } from './components.js';

const { el } = window.vayuDom;

let open = null;

function place(panel) {
  closePanel();
  open = panel;
  document.getElementById('workbench').append(open);
  const first = open.querySelector('input, select, textarea');
  if (first) first.focus();
}

export function showPanel(id, ...children) {
  place(el('div', { class: 'panel', id }, ...children));
}

export function showView(id, vnode) {
  const panel = el('div', { class: 'panel', id });
  render(vnode, panel);
  place(panel);
}

export function closePanel() {
  if (open) {
    render(null, open);
    open.remove();
  }
  open = null;
}
