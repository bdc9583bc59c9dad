// A saved request's examples (responses kept with it, as Postman keeps them: `POST
// /requests/{id}/examples`): saved from the response pane, listed in the request's Examples
// section, opened in a panel and deleted there. An export carries them as the item's `response`.
import { api } from './api.js';
import { showView, closePanel } from './panel.js';
import { notice } from './collection-tools.js';
import { html, useEffect, useState } from './components.js';
import { CodeView } from './code-view.js';

function Example({ example }) {
  return html`<h2>${example.name}</h2>
    <p><span class="status-code">${example.status} ${example.statusText || ''}</span></p>
    <table class="kv"><tbody>${(example.headers || []).map((h) => html`<tr><th>${h.key}</th><td>${h.value}</td></tr>`)}</tbody></table>
    <${CodeView} id="example-body" doc=${example.body || ''} />
    <p class="buttons"><button class="close" onClick=${closePanel}>Close</button></p>`;
}

// The items of <ul id="examples"> for saved request `savedId`, read from the engine when shown
// and again after a delete.
export function ExampleItems({ savedId }) {
  const [examples, setExamples] = useState(null);
  const [problem, setProblem] = useState(null);
  const load = () => api('GET', '/requests/' + encodeURIComponent(savedId))
    .then((saved) => setExamples(saved.examples || []), (e) => setProblem(e.message));
  useEffect(() => { load(); }, [savedId]);
  if (problem) return html`<li class="error">${problem}</li>`;
  if (!examples) return html`<li class="hint">Reading…</li>`;
  if (!examples.length) return html`<li class="hint">None yet: send, then "Save as example" under the response.</li>`;
  const open = (e, x) => { e.preventDefault(); showView('example', html`<${Example} example=${x} />`); };
  const remove = async (x) => {
    await api('DELETE', `/requests/${encodeURIComponent(savedId)}/examples/${x.index}`);
    load();
  };
  return examples.map((x) => html`<li key=${x.index} data-example=${x.index}>
    <a href="#" onClick=${(e) => open(e, x)}>${x.name}</a> <small>${String(x.status)}</small>
    <button class="icon remove" title="delete the example" onClick=${() => remove(x)}>×</button></li>`);
}

// Under a response: its name and "Save as example" (the inside of <span class="save-example">).
export function SaveExample({ tab, response: r, request }) {
  const [name, setName] = useState(`${r.status} ${r.statusText}`);
  const save = async () => {
    try {
      await api('POST', `/requests/${encodeURIComponent(tab.savedId)}/examples`, {
        name: name || String(r.status), status: r.status, headers: r.headers.map((h) => ({ key: h.name, value: h.value })), body: r.body, request,
      });
      notice(`Saved the response as the example "${name}"`);
    } catch (e) {
      notice('Example not saved: ' + (e.field ? e.field + ': ' : '') + e.message, true);
    }
  };
  return html`<input type="text" id="example-name" value=${name} spellcheck=${false} onInput=${(e) => setName(e.currentTarget.value)} />
    <button id="save-example" onClick=${save}>Save as example</button>`;
}

