// One panel over the workbench's main pane (the environment editor, the collection runner's
// form): opening one closes the one before. `showView` draws a component tree in it, which
// closing unmounts.
import { render } from './components.js';

let open = null;

// `<div class="panel" id>` with `vnode` drawn in it; its first field gets the focus.
export function showView(id, vnode) {
  closePanel();
  open = document.createElement('div');
  open.className = 'panel';
  open.id = id;
  render(vnode, open);
  document.getElementById('workbench').append(open);
  const first = open.querySelector('input, select, textarea');
  if (first) first.focus();
}

export function closePanel() {
  if (open) {
    render(null, open);
    open.remove();
  }
  open = null;
}
