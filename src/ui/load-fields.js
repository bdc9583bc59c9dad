// The run builder's form for one executor (load-builder.js): its fields with k6's names, the
// stages of a ramping executor and the thresholds, all written into `config` in place;
// `onChange()` after each edit (the plan's chart follows).
import { EXECUTORS } from './load-plan.js';
import { html, useReducer } from './components.js';

function Stages({ config, onChange }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  const changed = () => { redraw(); onChange(); };
  const edit = (st, k) => (e) => { st[k] = k === 'target' ? Number(e.currentTarget.value) : e.currentTarget.value; onChange(); };
  return html`<div><table class="kv" id="stages"><thead><tr><th>duration</th><th>target</th><th></th></tr></thead>
      <tbody>${config.stages.map((st, i) => html`<tr>
        ${['duration', 'target'].map((k) => html`<td><input type=${k === 'target' ? 'number' : 'text'} class=${'stage-' + k} value=${st[k]} onInput=${edit(st, k)} /></td>`)}
        <td><button class="icon" onClick=${() => { config.stages.splice(i, 1); changed(); }}>×</button></td></tr>`)}</tbody></table>
    <button class="small" onClick=${() => { config.stages.push({ duration: '10s', target: 10 }); changed(); }}>+ stage</button></div>`;
}

function Thresholds({ config, onChange }) {
  const [, redraw] = useReducer((n) => n + 1, 0);
  return html`<div id="thresholds">${config.thresholds.map((t, i) => html`<div class="row">
      <input type="text" class="threshold" value=${t} placeholder="p95<200ms, errors<1%, rps>=490"
        onInput=${(e) => { config.thresholds[i] = e.currentTarget.value; onChange(); }} />
      <button class="icon" onClick=${() => { config.thresholds.splice(i, 1); redraw(); onChange(); }}>×</button></div>`)}
    <button class="small" id="add-threshold" onClick=${() => { config.thresholds.push(''); redraw(); }}>+ threshold</button></div>`;
}

// A number or duration field: left empty, the engine's default (the key is left out).
function Field({ config, f, onChange }) {
  const value = config[f.name] === undefined ? '' : config[f.name];
  const input = (e) => {
    const typed = e.currentTarget.value;
    if (typed === '') delete config[f.name];
    else config[f.name] = f.kind === 'number' ? Number(typed) : typed;
    onChange();
  };
  return html`<label class="field"><span>${f.name} <small>${f.hint}</small></span>
    <input type=${f.kind === 'number' ? 'number' : 'text'} id=${'field-' + f.name} min="0" value=${value} onInput=${input} /></label>`;
}

export function FieldsForm({ config, onChange }) {
  config.thresholds = config.thresholds || [];
  return html`<div class="form">${EXECUTORS[config.executor].map((f) => {
    if (f.kind !== 'stages') return html`<${Field} config=${config} f=${f} onChange=${onChange} />`;
    config.stages = config.stages || [];
    return html`<div class="field wide"><span>stages <small>${f.hint}</small></span><${Stages} config=${config} onChange=${onChange} /></div>`;
  })}
    <div class="field wide"><span>thresholds <small>the run fails when one does not hold</small></span>
      <${Thresholds} config=${config} onChange=${onChange} /></div></div>`;
}
