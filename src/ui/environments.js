// Environments: the sidebar's list, the editor (name and variables, saved with PUT) and the
// picker in the header that sets the active one, which Send and the run forms use by id (so
// the engine saves back what scripts set, and the page shows it after).
import { api } from './api.js';
import { catalog, refresh, environment } from './catalog.js';
import { state, changed } from './state.js';
import { KvBody } from './kv-table.js';
import { showView, closePanel } from './panel.js';
import { html, mount, render, useState } from './components.js';

const rowsOf = (variables) => Object.entries(variables || {}).map(([key, value]) =>
  ({ key, value: typeof value === 'string' ? value : JSON.stringify(value), enabled: true }));

function EnvironmentEditor({ id, env }) {
  const [name, setName] = useState(env.name);
  const [rows] = useState(() => rowsOf(env.variables));
  const [problem, setProblem] = useState(null);
  const save = async () => {
    const variables = Object.fromEntries(rows.filter((r) => r.key !== '').map((r) => [r.key, r.value]));
    try {
      await api('PUT', '/environments/' + id, { name, variables });
      await refresh();
      closePanel();
    } catch (e) {
      setProblem(e.message);
    }
  };
  const use = () => { state.environmentId = id; changed('environment'); };
  const remove = async () => {
    if (!confirm(`Delete the environment ${env.name}?`)) return;
    await api('DELETE', '/environments/' + id);
    if (state.environmentId === id) { state.environmentId = ''; changed('environment'); }
    await refresh();
    closePanel();
  };
  return html`<h2>Environment</h2>
    <label>Name <input type="text" id="environment-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
    <table class="kv" id="environment-variables">
      <${KvBody} rows=${rows} onChange=${() => {}} toggle=${false} placeholder=${['variable', 'value']} /></table>
    <p class="buttons">
      <button id="environment-save" class="primary" onClick=${save}>Save</button>
      <button id="environment-use" onClick=${use}>Make active</button>
      <button id="environment-delete" onClick=${remove}>Delete</button>
      <button class="close" onClick=${closePanel}>Close</button></p>
    <p>${problem && html`<span class="error">${problem}</span>`}</p>`;
}

// The editor of one environment, over the main pane.
export function editEnvironment(id) {
  const env = environment(id);
  if (env) showView('environment-editor', html`<${EnvironmentEditor} id=${id} env=${env} />`);
}

async function newEnvironment() {
  const env = await api('POST', '/environments', { name: 'New environment', variables: {} });
  await refresh();
  editEnvironment(env.id);
}

// The sidebar's section as the catalog and the active environment have it now.
const Environments = () => html`<header><h3>Environments</h3>
    <button class="icon new-environment" id="new-environment" title="new environment" onClick=${newEnvironment}>+</button></header>
  <ul class="list" id="environments">${catalog.environments.map((e) => html`<li key=${e.id} data-environment=${e.id}
    class=${e.id === state.environmentId ? 'active' : ''} onClick=${() => editEnvironment(e.id)}>
    ${e.name}${e.id === state.environmentId && html`<small> (active)</small>`}</li>`)}</ul>`;

// The header's picker of the active environment.
function Picker() {
  const pick = (e) => { state.environmentId = e.currentTarget.value; changed('environment'); };
  return html`<select id="active-environment" title="the environment Send and runs use"
    value=${environment(state.environmentId) ? state.environmentId : ''} onChange=${pick}>
    <option value="">No environment</option>${catalog.environments.map((e) => html`<option key=${e.id} value=${e.id}>${e.name}</option>`)}</select>`;
}

// For manager.js, which calls `draw()` on each when the catalog or the active one changes.
export function environmentsSection() {
  const section = mount('section', {}, html`<${Environments} />`);
  section.draw = () => render(html`<${Environments} />`, section);
  return section;
}

export function environmentPicker() {
  const slot = mount('span', { class: 'environment-picker' }, html`<${Picker} />`);
  slot.draw = () => render(html`<${Picker} />`, slot);
  return slot;
}
