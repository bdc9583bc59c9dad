// Environments: the sidebar's list, the editor (name and variables, saved with PUT) and the
// picker in the header that sets the active one, which Send and the run forms use by id (so
// the engine saves back what scripts set, and the page shows it after).
import { api } from './api.js';
import { catalog, refresh, environment } from './catalog.js';
import { state, changed } from './state.js';
import { kvTable } from './kv-table.js';
import { showPanel, closePanel } from './panel.js';

const { el } = window.vayuDom;

const rowsOf = (variables) => Object.entries(variables || {}).map(([key, value]) =>
  ({ key, value: typeof value === 'string' ? value : JSON.stringify(value), enabled: true }));

// The editor of one environment, over the main pane.
export function editEnvironment(id) {
  const env = environment(id);
  if (!env) return;
  const name = el('input', { type: 'text', id: 'environment-name', value: env.name });
  const rows = rowsOf(env.variables);
  const problem = el('p', {});
  const save = async () => {
    const variables = Object.fromEntries(rows.filter((r) => r.key !== '').map((r) => [r.key, r.value]));
    try {
      await api('PUT', '/environments/' + id, { name: name.value, variables });
      await refresh();
      closePanel();
    } catch (e) {
      problem.replaceChildren(el('span', { class: 'error' }, e.message));
    }
  };
  showPanel('environment-editor', el('h2', {}, 'Environment'),
    el('label', {}, 'Name ', name),
    kvTable(rows, () => {}, { toggle: false, id: 'environment-variables', placeholder: ['variable', 'value'] }),
    el('p', { class: 'buttons' },
      el('button', { id: 'environment-save', class: 'primary', onclick: save }, 'Save'),
      el('button', { id: 'environment-use', onclick: () => { state.environmentId = id; changed('environment'); } }, 'Make active'),
      el('button', { id: 'environment-delete', onclick: async () => {
        if (!confirm(`Delete the environment ${env.name}?`)) return;
        await api('DELETE', '/environments/' + id);
        if (state.environmentId === id) { state.environmentId = ''; changed('environment'); }
        await refresh();
        closePanel();
      } }, 'Delete'),
      el('button', { class: 'close', onclick: closePanel }, 'Close')),
    problem);
}

export function environmentsSection() {
  const list = el('ul', { class: 'list', id: 'environments' });
  const section = el('section', {}, el('header', {}, el('h3', {}, 'Environments'),
    el('button', { class: 'icon new-environment', id: 'new-environment', title: 'new environment', onclick: async () => {
      const env = await api('POST', '/environments', { name: 'New environment', variables: {} });
      await refresh();
      editEnvironment(env.id);
    } }, '+')), list);
  section.draw = () => list.replaceChildren(...catalog.environments.map((e) =>
    el('li', { 'data-environment': e.id, class: e.id === state.environmentId ? 'active' : '', onclick: () => editEnvironment(e.id) },
      e.name, e.id === state.environmentId ? el('small', {}, ' (active)') : '')));
  return section;
}

// The header's picker of the active environment.
export function environmentPicker() {
  const select = el('select', { id: 'active-environment', title: 'the environment Send and runs use' });
  select.addEventListener('change', () => { state.environmentId = select.value; changed('environment'); });
  select.draw = () => {
    select.replaceChildren(el('option', { value: '' }, 'No environment'),
      ...catalog.environments.map((e) => el('option', { value: e.id }, e.name)));
    select.value = environment(state.environmentId) ? state.environmentId : '';
  };
  return select;
}
