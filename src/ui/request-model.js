// The request as the editor holds it (params, path variables, header rows, a body mode, auth
// fields, scripts, settings), and its conversions: to the request spec `POST /request` and a load
// run take, to the fields a saved request stores, and back. A text body's mode is not a stored
// field: it is read back from the request's Content-Type header, which the editor keeps in the
// headers table as Postman does, so a saved request means the same to every client of the API.
// Form-data and a file body are fields of their own (`formData`, `bodyFile`), whose
// Content-Type the engine writes (a multipart boundary, the file's type).

export const BODY_TYPES = {
  json: 'application/json',
  graphql: 'application/json',
  urlencoded: 'application/x-www-form-urlencoded',
  xml: 'application/xml',
  html: 'text/html',
  javascript: 'application/javascript',
  text: 'text/plain',
};

// Every auth type the engine takes (docs/api.md), with its fields by Postman's names.
export const AUTH_FIELDS = {
  none: [],
  basic: ['username', 'password'],
  bearer: ['token'],
  apikey: ['key', 'value', 'in'],
  digest: ['username', 'password', 'realm', 'nonce', 'algorithm', 'qop', 'nonceCount', 'clientNonce', 'opaque'],
  oauth2: ['accessToken', 'headerPrefix', 'in'],
  awsv4: ['accessKey', 'secretKey', 'region', 'service', 'sessionToken'],
  ntlm: ['username', 'password', 'domain', 'workstation'],
  oauth1: ['consumerKey', 'consumerSecret', 'token', 'tokenSecret', 'privateKey', 'signatureMethod', 'timestamp', 'nonce', 'version',
    'realm', 'callback', 'verifier', 'includeBodyHash', 'addParamsToHeader', 'addEmptyParamsToSign', 'disableHeaderEncoding'],
  hawk: ['authId', 'authKey', 'algorithm', 'user', 'nonce', 'extraData', 'timestamp', 'includePayloadHash'],
  jwt: ['algorithm', 'secret', 'isSecretBase64Encoded', 'privateKey', 'payload', 'header', 'addTokenTo', 'headerPrefix', 'queryParamKey'],
  edgegrid: ['accessToken', 'clientToken', 'clientSecret', 'nonce', 'timestamp', 'baseURL', 'headersToSign', 'maxBodySize'],
  asap: ['alg', 'kid', 'iss', 'exp', 'aud', 'sub', 'privateKey', 'claims'],
};
// Fields that are a yes or no, and fields with a fixed set of values (the first is the default).
export const AUTH_FLAGS = new Set(['includeBodyHash', 'addParamsToHeader', 'addEmptyParamsToSign', 'disableHeaderEncoding',
  'includePayloadHash', 'isSecretBase64Encoded']);
export const AUTH_CHOICES = { in: ['header', 'query'], addTokenTo: ['header', 'queryParam'] };
// Fields that take several lines (keys, JSON payloads).
export const AUTH_LONG = new Set(['privateKey', 'payload', 'header', 'claims']);

export const row = (key = '', value = '', enabled = true) => ({ key, value, enabled });

// The settings a request may give, with the engine's defaults (docs/api.md) for those it does
// not: a timeout of 30 s, redirects followed (at most 10), the method changed to GET on
// 301/302/303, TLS certificates verified, the HTTP version negotiated. A request keeps only
// the ones given, a default included: an imported request's own `followRedirects: true`
// overrides its folder's `false`.
export const SETTINGS = { timeout: 30000, followRedirects: true, maxRedirects: 10, followOriginalHttpMethod: false, insecure: false, httpVersion: '' };
export const HTTP_VERSIONS = ['', '1.0', '1.1', '2', '2-prior-knowledge'];

export function blank(name = 'New request') {
  return {
    name, method: 'GET', url: '', params: [], pathVariables: [], headers: [], bodyMode: 'none', rawLanguage: 'text',
    bodyText: '', form: [], formData: [], bodyFile: null, graphql: { query: '', variables: '' }, auth: { type: 'none' },
    preRequestScript: '', testScript: '', settings: {},
  };
}

// The query of `url` as rows, split as written (a `{{variable}}` stays as it is).
export function paramsOf(url) {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url.slice(q + 1).split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? row(pair, '') : row(pair.slice(0, eq), pair.slice(eq + 1));
  });
}

// `url` with its query made of the enabled rows of `params`.
export function withParams(url, params) {
  const base = url.split('?')[0];
  const query = params.filter((p) => p.enabled && p.key !== '')
    .map((p) => (p.value === '' ? p.key : p.key + '=' + p.value)).join('&');
  return query ? base + '?' + query : base;
}

// The names of the URL's path variables, in order: as the engine reads them (postman-collection's
// `Url.getPath`), a whole path segment `:name`, the name the rest of the segment.
export function pathNames(url) {
  const path = url.split(/[?#]/)[0].replace(/^[^/]*:\/\/[^/]*/, '').replace(/^[^/]*/, '');
  return [...new Set(path.split('/').filter((s) => s.length > 1 && s.startsWith(':')).map((s) => s.slice(1)))];
}

// The URL edited: its query becomes the enabled params, the disabled ones are kept; its path
// variables become rows, keeping the values of those already there.
export function urlEdited(model, url) {
  model.url = url;
  model.params = [...paramsOf(url), ...model.params.filter((p) => !p.enabled)];
  const before = new Map((model.pathVariables || []).map((v) => [v.key, v.value]));
  model.pathVariables = pathNames(url).map((name) => row(name, before.get(name) || ''));
}

export const contentType = (model) => {
  const h = model.headers.find((r) => r.enabled && r.key.toLowerCase() === 'content-type');
  return h ? h.value : '';
};

// The Content-Type the body mode implies, set in the headers table (or removed for none, and for
// form-data and a file, whose type the engine writes).
export function setBodyMode(model, mode, language = model.rawLanguage) {
  model.bodyMode = mode;
  model.rawLanguage = language;
  const type = mode === 'raw' ? BODY_TYPES[language] : BODY_TYPES[mode];
  const at = model.headers.findIndex((r) => r.key.toLowerCase() === 'content-type');
  if (!type) {
    if (at >= 0) model.headers.splice(at, 1);
  } else if (at >= 0) model.headers[at] = row('Content-Type', type, true);
  else model.headers.push(row('Content-Type', type, true));
}

const encode = (s) => encodeURIComponent(s).replace(/%7B/g, '{').replace(/%7D/g, '}');

// The body as sent: text, so `{{variables}}` anywhere in it are substituted by the engine
// (null for none, form-data and a file, which go as fields of their own).
export function bodyText(model) {
  switch (model.bodyMode) {
    case 'none': case 'formdata': case 'binary': return null;
    case 'graphql': {
      // As text, so `{{variables}}` in the variables stay where they are written.
      const g = model.graphql || { query: '', variables: '' };
      return '{"query":' + JSON.stringify(g.query) + (g.variables.trim() ? ',"variables":' + g.variables : '') + '}';
    }
    case 'urlencoded':
      return model.form.filter((r) => r.enabled && r.key !== '').map((r) => encode(r.key) + '=' + encode(r.value)).join('&');
    default: return model.bodyText;
  }
}

const headerRows = (rows) => rows.filter((r) => r.key !== '')
  .map((r) => (r.enabled ? { key: r.key, value: r.value } : { key: r.key, value: r.value, disabled: true }));

export function authSpec(auth) {
  if (!auth || auth.type === 'none') return null;
  const out = { type: auth.type };
  for (const f of AUTH_FIELDS[auth.type] || []) {
    if (AUTH_FLAGS.has(f) ? auth[f] === true : auth[f] !== undefined && auth[f] !== '') out[f] = auth[f];
  }
  return out;
}

// The form-data rows as the API takes them: text parts, and file parts with their bytes.
const formParts = (rows) => rows.filter((r) => r.key !== '' && (r.type !== 'file' || r.file)).map((r) => {
  const part = r.type === 'file' ? { key: r.key, file: r.file } : { key: r.key, value: r.value };
  if (r.contentType) part.contentType = r.contentType;
  return r.enabled ? part : { ...part, disabled: true };
});

// The settings the request gives, as the API names them (a timeout as typed: milliseconds,
// or a duration such as "2s").
function settingsOf(model) {
  const out = {};
  for (const k of Object.keys(SETTINGS)) {
    const v = (model.settings || {})[k];
    if (v === undefined || v === null || v === '') continue;
    out[k] = (k === 'timeout' || k === 'maxRedirects') && /^\d+$/.test(String(v)) ? Number(v) : v;
  }
  return out;
}

// The fields a request has besides its text: path variables, form-data or a file body, and
// settings (`nested`: settings as one object, as a saved request keeps them).
function extraFields(model, nested) {
  const out = {};
  const vars = (model.pathVariables || []).filter((v) => v.key !== '');
  if (vars.length) out.pathVariables = Object.fromEntries(vars.map((v) => [v.key, v.value]));
  if (model.bodyMode === 'formdata') out.formData = formParts(model.formData || []);
  if (model.bodyMode === 'binary' && model.bodyFile) out.bodyFile = model.bodyFile;
  const settings = settingsOf(model);
  if (Object.keys(settings).length) Object.assign(out, nested ? { settings } : settings);
  return out;
}

// What `POST /request` (`request`) and a load run (`request`) take. An auth inherited from the
// request's folder or collection is sent as its own (a spec has no parents).
export function toSpec(model, inherited = null) {
  const spec = { name: model.name, method: model.method, url: model.url, headers: headerRows(model.headers) };
  const body = bodyText(model);
  if (body !== null) spec.body = body;
  const auth = model.auth.type === 'inherit' ? inherited : authSpec(model.auth);
  if (auth && auth.type !== 'noauth') spec.auth = auth;
  Object.assign(spec, extraFields(model, false));
  if (model.preRequestScript.trim()) spec.preRequestScript = model.preRequestScript;
  if (model.testScript.trim()) spec.testScript = model.testScript;
  return spec;
}

// A request's auth as saved: none of its own inherits its folder's (null); "no auth" in a
// collection is said (`noauth`), so it does not inherit.
function savedAuth(model, collectionId) {
  if (model.auth.type === 'inherit') return null;
  if (model.auth.type === 'none') return collectionId ? { type: 'noauth' } : null;
  return authSpec(model.auth);
}

// What `POST /requests` and `PUT /requests/{id}` take.
export function toSaved(model, collectionId) {
  const body = bodyText(model);
  return {
    collectionId: collectionId || null, name: model.name, method: model.method, url: model.url,
    headers: headerRows(model.headers), body, auth: savedAuth(model, collectionId),
    preRequestScript: model.preRequestScript || null, postRequestScript: model.testScript || null,
    ...extraFields(model, true),
  };
}

// The fields of a saved request (`GET /requests/{id}`) that `PUT /requests/{id}` takes back:
// what the engine derives (its id, times, curl, inherited auth, examples) left out.
export function writable(saved) {
  const keys = ['collectionId', 'name', 'method', 'url', 'headers', 'body', 'auth', 'preRequestScript', 'postRequestScript',
    'pathVariables', 'formData', 'bodyFile', 'settings'];
  return Object.fromEntries(keys.filter((k) => saved[k] !== undefined).map((k) => [k, saved[k]]));
}

function headersOf(headers) {
  if (Array.isArray(headers)) return headers.map((h) => row(h.key, String(h.value), !h.disabled));
  return Object.entries(headers || {}).map(([k, v]) => row(k, String(v)));
}

// A saved request (`GET /requests/{id}`) or a spec (a design run's `config.request`) as the
// editor holds it; the body mode read from its Content-Type.
export function fromRequest(r) {
  const model = blank(r.name || r.url || 'Request');
  model.method = r.method || 'GET';
  urlEdited(model, r.url || '');
  model.headers = headersOf(r.headers);
  const script = (s) => (Array.isArray(s) ? s.join('\n') : s || '');
  model.preRequestScript = script(r.preRequestScript);
  model.testScript = script(r.postRequestScript !== undefined ? r.postRequestScript : r.testScript);
  if (r.auth && r.auth.type === 'noauth') model.auth = { type: 'none' };
  else if (r.auth && r.auth.type) model.auth = { ...r.auth };
  else if (r.collectionId) model.auth = { type: 'inherit' };
  readExtras(model, r);
  if (model.bodyMode !== 'none') return model;
  const body = r.body;
  const type = contentType(model).toLowerCase();
  if (body === null || body === undefined) return model;
  if (typeof body !== 'string') {
    model.bodyMode = 'json';
    model.bodyText = JSON.stringify(body, null, 2);
  } else if (type.includes('x-www-form-urlencoded')) {
    model.bodyMode = 'urlencoded';
    model.form = body.split('&').filter(Boolean).map((pair) => {
      const [k, ...v] = pair.split('=');
      return row(decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.join('=').replace(/\+/g, ' ')));
    });
  } else if (type.includes('json') && graphqlOf(body)) {
    model.bodyMode = 'graphql';
    model.graphql = graphqlOf(body);
  } else {
    model.bodyMode = type.includes('json') ? 'json' : 'raw';
    model.rawLanguage = Object.keys(BODY_TYPES).find((k) => k !== 'urlencoded' && type.includes(BODY_TYPES[k].split('/')[1])) || 'text';
    model.bodyText = body;
  }
  return model;
}

// Path variables, form-data, a file body and settings, from a saved request (`settings` an
// object) or a spec (its fields). A file recorded without its bytes (a large upload in the
// history) comes back as no file chosen.
function readExtras(model, r) {
  const values = r.pathVariables || {};
  model.pathVariables = model.pathVariables.map((v) => row(v.key, values[v.key] === undefined ? '' : String(values[v.key])));
  const withBytes = (file) => (file && !file.omitted ? file : null);
  if (Array.isArray(r.formData)) {
    model.bodyMode = 'formdata';
    model.formData = r.formData.map((p) => ({
      ...row(p.key, p.value || '', !p.disabled), type: p.file ? 'file' : 'text', file: withBytes(p.file), contentType: p.contentType || '',
    }));
  } else if (r.bodyFile) {
    model.bodyMode = 'binary';
    model.bodyFile = withBytes(r.bodyFile);
  }
  const given = r.settings || r;
  model.settings = {};
  for (const k of Object.keys(SETTINGS)) if (given[k] !== undefined && given[k] !== null) model.settings[k] = given[k];
}

// A GraphQL request's body (`{"query": ..., "variables": ...}`, nothing else) as the editor's
// two fields; null for any other body.
function graphqlOf(body) {
  let doc;
  try { doc = JSON.parse(body); } catch (e) {
    // Not JSON until substituted (`{{id}}` as a value): read back as bodyText writes it.
    const written = /^\{"query":("(?:[^"\\]|\\.)*")(?:,"variables":([\s\S]*))?\}$/.exec(body);
    return written ? { query: JSON.parse(written[1]), variables: written[2] || '' } : null;
  }
  const keys = doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
  if (typeof doc.query !== 'string' || !keys.every((k) => ['query', 'variables', 'operationName'].includes(k))) return null;
  return { query: doc.query, variables: doc.variables === undefined ? '' : JSON.stringify(doc.variables, null, 2) };
}

// The `{{names}}` in the request's text fields, resolved from `variables` (an object) where
// it has them.
export function variablesIn(model, variables) {
  const text = JSON.stringify(toSpec(model));
  const names = [...new Set([...text.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1]))];
  return names.map((name) => ({ name, value: variables && name in variables ? String(variables[name]) : undefined }));
}

export const resolve = (text, variables) =>
  text.replace(/\{\{([^{}]+)\}\}/g, (all, name) => (variables && name in variables ? String(variables[name]) : all));
