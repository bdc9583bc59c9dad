// A request's settings: timeout, redirects, TLS verification and HTTP version. What is not given
// is the engine's default (shown); a field cleared, or "engine default" picked, gives it up again.
import { HTTP_VERSIONS, SETTINGS } from './request-model.js';
import { html, useState } from './components.js';

export function SettingsPane({ m, touch }) {
  const st = m.settings;
  // Which settings the request gave when the pane opened: a box set back to the default is not
  // given any more, unless the request gave it.
  const [given] = useState(() => new Set(Object.keys(st)));
  const set = (key, value) => { if (value === '' || value === null) delete st[key]; else st[key] = value; touch(); };
  // Not bound to the setting (defaultValue): what is typed stays as typed while the setting
  // keeps it trimmed.
  const text = (key, hint) => html`<input type="text" id=${'settings-' + key} placeholder=${hint} spellcheck=${false}
    defaultValue=${key in st ? String(st[key]) : ''} onInput=${(e) => set(key, e.currentTarget.value.trim())} />`;
  const flag = (key, id, inverted = false) => {
    const value = key in st ? st[key] : SETTINGS[key];
    const toggled = (e) => {
      const now = inverted ? !e.currentTarget.checked : e.currentTarget.checked;
      set(key, now === SETTINGS[key] && !given.has(key) ? null : now);
    };
    return html`<input type="checkbox" id=${id} checked=${inverted ? !value : value} onChange=${toggled} />`;
  };
  return html`<div class="form" id="settings-pane">
    <label>Timeout (ms, or 2s, 1m; 0: none) ${text('timeout', '30s')}</label>
    <label class="check">${flag('followRedirects', 'settings-follow-redirects')} follow redirects</label>
    <label>At most (redirects) ${text('maxRedirects', '10')}</label>
    <label class="check">${flag('followOriginalHttpMethod', 'settings-keep-method')} keep the method and body on 301/302/303</label>
    <label class="check">${flag('insecure', 'settings-verify-tls', true)} verify TLS certificates</label>
    <label>HTTP version <select id="settings-http-version" value=${st.httpVersion || ''} onChange=${(e) => set('httpVersion', e.currentTarget.value)}>
      <option value="">engine default (HTTP/2 over TLS when offered)</option>
      ${HTTP_VERSIONS.filter(Boolean).map((v) => html`<option value=${v}>${v}</option>`)}</select></label></div>`;
}
