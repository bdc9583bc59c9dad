// Calls the engine's JSON API. With `--token` the page asks for the token once (a form over the
// page, saying so when the engine refused the one given) and sends it as a bearer header on every
// call, the event streams and downloads included; it is kept in this tab's sessionStorage, never
// in a URL or a cookie.
const { el } = window.vayuDom;

export const headers = () => {
  const h = { 'Content-Type': 'application/json' };
  const token = sessionStorage.getItem('vayu-token');
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
};

// Calls the API; a 401 asks for the token (again, if the one given was refused) and retries.
export async function api(method, path, body) {
  for (let refused = false; ; refused = true) {
    const response = await fetch(path, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      await askToken(refused || sessionStorage.getItem('vayu-token') !== null);
      continue;
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const e = new Error((data && data.error && data.error.message) || response.statusText);
      e.field = data && data.error && data.error.field;
      throw e;
    }
    return data;
  }
}

// A form over the page that asks for the engine's token; calls waiting on it share it.
let asking = null;
function askToken(refused) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const input = el('input', { type: 'password', id: 'token', autocomplete: 'off', size: '40' });
    const form = el('form', { id: 'token-form', class: 'token', onsubmit: (e) => {
      e.preventDefault();
      if (!input.value) return;
      sessionStorage.setItem('vayu-token', input.value);
      form.remove();
      asking = null;
      resolve();
    } }, el('p', {}, 'This engine needs its token (vayu-engine --token):'),
    refused ? el('p', { class: 'error', id: 'token-refused' }, 'The engine refused that token.') : '',
    input, ' ', el('button', { type: 'submit', id: 'token-submit' }, 'Use it'));
    document.body.append(form);
    input.focus();
  });
  return asking;
}

// Downloads what `path` answers as `name` (a fetch, so the token goes as a header).
export async function download(path, name) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Reads a run's Server-Sent Events with fetch (EventSource cannot send the token).
export async function follow(id, onEvent, signal) {
  const response = await fetch('/stats/' + encodeURIComponent(id), { headers: headers(), signal });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    pending += decoder.decode(value, { stream: true });
    let end;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      const block = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (name && data) onEvent(name[1], JSON.parse(data[1]));
    }
  }
}

