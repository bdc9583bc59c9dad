// The request as the editor holds it (params, header rows, a body mode, auth fields, scripts),
// and its conversions: to the request spec `POST /request` and a load run take, to the fields a
// saved request stores, and back. A body's mode is not a stored field: it is read back from
// the request's Content-Type header, which the editor keeps in the headers table as Postman
// does, so a saved request means the same to every client of the API.

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

export function blank(name = 'New request') {
  return {
    name, method: 'GET', url: '', params: [], headers: [], bodyMode: 'none', rawLanguage: 'text',
    bodyText: '', form: [], graphql: { query: '', variables: '' }, auth: { type: 'none' }, preRequestScript: '', testScript: '',
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

// The URL edited: its query becomes the enabled params, the disabled ones are kept.
export function urlEdited(model, url) {
  model.url = url;
  model.params = [...paramsOf(url), ...model.params.filter((p) => !p.enabled)];
}

export const contentType = (model) => {
  const h = model.headers.find((r) => r.enabled && r.key.toLowerCase() === 'content-type');
  return h ? h.value : '';
};

// The Content-Type the body mode implies, set in the headers table (or removed for none).
export function setBodyMode(model, mode, language = model.rawLanguage) {
  model.bodyMode = mode;
  model.rawLanguage = language;
  const type = mode === 'raw' ? BODY_TYPES[language] : BODY_TYPES[mode];
  const at = model.headers.findIndex((r) => r.key.toLowerCase() === 'content-type');
  if (mode === 'none') {
    if (at >= 0) model.headers.splice(at, 1);
  } else if (at >= 0) model.headers[at] = row('Content-Type', type, true);
  else model.headers.push(row('Content-Type', type, true));
}

const encode = (s) => encodeURIComponent(s).replace(/%7B/g, '{').replace(/%7D/g, '}');

// The body as sent: text, so `{{variables}}` anywhere in it are substituted by the engine.
export function bodyText(model) {
  switch (model.bodyMode) {
    case 'none': return null;
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

function authSpec(auth) {
  if (!auth || auth.type === 'none') return null;
  const out = { type: auth.type };
  for (const f of AUTH_FIELDS[auth.type] || []) {
    if (AUTH_FLAGS.has(f) ? auth[f] === true : auth[f] !== undefined && auth[f] !== '') out[f] = auth[f];
  }
  return out;
}

// What `POST /request` (`request`) and a load run (`request`) take.
export function toSpec(model) {
  const spec = { name: model.name, method: model.method, url: model.url, headers: headerRows(model.headers) };
  const body = bodyText(model);
  if (body !== null) spec.body = body;
  const auth = authSpec(model.auth);
  if (auth) spec.auth = auth;
  if (model.preRequestScript.trim()) spec.preRequestScript = model.preRequestScript;
  if (model.testScript.trim()) spec.testScript = model.testScript;
  return spec;
}

// What `POST /requests` and `PUT /requests/{id}` take.
export function toSaved(model, collectionId) {
  const body = bodyText(model);
  return {
    collectionId: collectionId || null, name: model.name, method: model.method, url: model.url,
    headers: headerRows(model.headers), body, auth: authSpec(model.auth),
    preRequestScript: model.preRequestScript || null, postRequestScript: model.testScript || null,
  };
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
  if (r.auth && r.auth.type) model.auth = { ...r.auth };
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
