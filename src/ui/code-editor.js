// An editable CodeMirror editor as a component (a script, a raw body, a GraphQL part): made once
// its element is in the page; `onChange` gets the text on each edit. A new language or document
// source needs a new component (key), as CodeMirror owns the element's inside. `editor`, a ref,
// gets the editor made, for a view that reads its text when asked (the run builder's JSON).
import { html, useEffect, useRef } from './components.js';

export function CodeEditor({ id, doc, language = 'text', onChange, keys, editor }) {
  const ref = useRef(null);
  useEffect(() => {
    const made = window.vayuEditor.create(ref.current, { doc, language, onChange, keys });
    if (editor) editor.current = made;
  }, []);
  return html`<div class="code" id=${id} ref=${ref}></div>`;
}
