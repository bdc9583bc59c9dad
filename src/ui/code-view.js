// A read-only CodeMirror editor as a component: CodeMirror owns the element's inside, so it is
// made once the element is in the page (an effect) and a new document is a new component (key).
import { html, useEffect, useRef } from './components.js';

export function CodeView({ id, doc, language = 'text' }) {
  const ref = useRef(null);
  useEffect(() => { window.vayuEditor.create(ref.current, { doc, language, readOnly: true }); }, []);
  return html`<div class="code" id=${id} ref=${ref}></div>`;
}
