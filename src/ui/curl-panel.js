// The saved request as a curl command (`curl`, which GET /requests/{id} derives), in a panel,
// selected and put on the clipboard.
import { showView, closePanel } from './panel.js';
import { html, useEffect, useRef } from './components.js';

function Curl({ command }) {
  const ref = useRef(null);
  useEffect(() => { ref.current.select(); }, []);
  return html`<h2>Copy as curl</h2><p class="hint">The saved request (save first to include your edits).</p>
    <textarea id="curl-command" rows="6" readonly spellcheck=${false} value=${command} ref=${ref}></textarea>
    <p class="buttons"><button class="close" onClick=${closePanel}>Close</button></p>`;
}

export function showCurl(command) {
  showView('curl', html`<${Curl} command=${command} />`);
  if (navigator.clipboard) navigator.clipboard.writeText(command).catch(() => {});
}
