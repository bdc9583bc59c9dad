// Vayu's script prelude: the glue between the engine and Postman's sandbox libraries. It builds
// `pm`, `postman`, the legacy globals and `require` on top of the real libraries (chai with
// Postman's chai-postman plugin, postman-collection, lodash, crypto-js, moment, uuid, ajv, tv4,
// xml2js), each evaluated the first time a script uses it. Evaluated once per worker runtime;
// `__vayu_run` is called once per script execution with the request/response context.
(function (global, loadBundle) {
  'use strict';

  var state = null; // this execution's context and results; reset by every run()

  // --- What a script cannot take away from the prelude ---------------------------------------
  // The built-ins the prelude needs at run time, taken before any script runs: a script may
  // replace them (`JSON.stringify = ...`) or change what every object inherits
  // (`Object.prototype.toJSON = ...`, a `get` that every property descriptor then inherits).
  var ObjectProto = Object.prototype, ArrayProto = Array.prototype;
  var hasOwn = Object.hasOwn, stringify = JSON.stringify, parseJson = JSON.parse;
  var defineProperty = Object.defineProperty, describe = Object.getOwnPropertyDescriptor;
  var ownKeys = Reflect.ownKeys, deleteProperty = Reflect.deleteProperty;
  var DESCRIPTOR_FIELDS = ['value', 'get', 'set', 'writable', 'enumerable', 'configurable'];
  // A property descriptor as an object that inherits nothing (`undefined` for none).
  function descriptor(d) {
    if (d === undefined) return undefined;
    var out = { __proto__: null };
    for (var i = 0; i < DESCRIPTOR_FIELDS.length; i++) {
      if (hasOwn(d, DESCRIPTOR_FIELDS[i])) out[DESCRIPTOR_FIELDS[i]] = d[DESCRIPTOR_FIELDS[i]];
    }
    return out;
  }
  // Object.prototype and Array.prototype as the runtime made them.
  var PRISTINE = [ObjectProto, ArrayProto].map(function (proto) {
    var own = { __proto__: null };
    ownKeys(proto).forEach(function (k) { own[k] = descriptor(describe(proto, k)); });
    return { proto: proto, own: own, keys: ownKeys(proto) };
  });
  // Sugar.js's stand-ins (see below): pristine() must know them.
  var stubs = [], stubFunctions = new Set(), sugarLoaded = false;
  function sameProperty(a, b) { return a.value === b.value && a.get === b.get && a.set === b.set; }
  // Runs `work` with Object.prototype and Array.prototype as the runtime made them, and puts
  // back what scripts did to them afterwards (as far as they left it configurable). Libraries
  // are evaluated this way (their module code walks objects with for-in and defines properties
  // from literal descriptors), and the prelude's own work when a script polluted them.
  function pristine(work) {
    var undo = [];
    for (var p = 0; p < PRISTINE.length; p++) {
      var proto = PRISTINE[p].proto, own = PRISTINE[p].own, keys = ownKeys(proto), i, k;
      for (i = 0; i < keys.length; i++) {
        k = keys[i];
        var now = descriptor(describe(proto, k));
        if (k in own && sameProperty(now, own[k])) continue;
        if (!deleteProperty(proto, k)) continue;
        undo[undo.length] = [proto, k, now];
        if (k in own) defineProperty(proto, k, own[k]);
      }
      keys = PRISTINE[p].keys;
      for (i = 0; i < keys.length; i++) {
        k = keys[i];
        if (hasOwn(proto, k)) continue;
        try { defineProperty(proto, k, own[k]); undo[undo.length] = [proto, k, undefined]; } catch (e) { /* not extensible: left as it is */ }
      }
    }
    try {
      return work();
    } finally {
      for (var u = undo.length - 1; u >= 0; u--) {
        // Sugar, loaded meanwhile, has put its own where its stand-ins were.
        if (sugarLoaded && undo[u][2] !== undefined && (stubFunctions.has(undo[u][2].get) || stubFunctions.has(undo[u][2].value))) continue;
        deleteProperty(undo[u][0], undo[u][1]);
        if (undo[u][2] !== undefined) defineProperty(undo[u][0], undo[u][1], undo[u][2]);
      }
    }
  }
  // Whether a script changed what the prelude's own results depend on: JSON.stringify consults
  // an inherited toJSON, and every descriptor literal an inherited get or set. Cheap, so it is
  // asked on every run; pristine() is dear and runs only when this says so.
  function polluted() {
    return hasOwn(ObjectProto, 'toJSON') || hasOwn(ArrayProto, 'toJSON') || hasOwn(ObjectProto, 'get') || hasOwn(ObjectProto, 'set');
  }
  function guarded(work) { return polluted() ? pristine(work) : work(); }

  // --- Libraries --------------------------------------------------------------------------
  var bundles = Object.create(null);
  var loading = 0; // libraries being evaluated: lodash looks for a global `_` as it loads
  function lib(name) {
    if (!(name in bundles)) {
      loading++;
      try { bundles[name] = pristine(function () { return loadBundle(name); }); } finally { loading--; }
    }
    return bundles[name];
  }

  // The collection SDK's bundle reaches its lazily loaded dependencies (faker, iconv-lite) here.
  Object.defineProperty(global, '__vayu_lib', { value: lib, enumerable: false });

  // uuid's browser build asks for crypto.getRandomValues, which QuickJS does not have. Postman's
  // sandbox makes its uuids from Math.random too; neither is for secrets.
  function fillRandom(array) {
    for (var i = 0; i < array.length; i++) array[i] = Math.floor(Math.random() * 256);
    return array;
  }
  Object.defineProperty(global, 'crypto', { value: Object.freeze({ getRandomValues: fillRandom }), enumerable: false });

  // Postman's `require('uuid')` is callable (a v4 uuid) and has `v4`; the npm module's other
  // versions come along.
  function uuidModule() {
    var real = lib('uuid');
    var uuid = function () { return real.v4(); };
    Object.keys(real).forEach(function (k) { uuid[k] = real[k]; });
    return uuid;
  }
  function xml2Json(text) {
    var out = {};
    lib('xml2js').parseString(text, { explicitArray: false, async: false, trim: true, mergeAttrs: false }, function (e, result) {
      out = result;
    });
    return out;
  }

  // What `require` offers, by Postman's names.
  var requirable = {
    chai: function () { return chai(); },
    lodash: function () { return lib('lodash'); },
    'crypto-js': function () { return lib('crypto-js'); },
    moment: function () { return lib('moment'); },
    uuid: uuidModule,
    ajv: function () { return lib('ajv'); },
    tv4: function () { return lib('tv4'); },
    xml2js: function () { return lib('xml2js'); },
    'postman-collection': function () { return lib('postman-collection'); },
    buffer: function () { return lib('buffer'); },
    // The npm packages Postman's sandbox uses: Buffer's lenient base64, Latin-1 strings.
    atob: function () { return lib('atob'); },
    btoa: function () { return lib('btoa'); }
  };
  var required = Object.create(null);
  function requireModule(name) {
    name = String(name);
    if (!hasOwn(requirable, name)) {
      throw new Error("Cannot find module '" + name + "'");
    }
    if (!(name in required)) required[name] = requirable[name]();
    return required[name];
  }

  // chai with Postman's assertions (the chai-postman plugin). The plugin recognises Postman's
  // request and response objects through the collection SDK's type checks; these also answer
  // for the objects this prelude builds, without loading the SDK.
  var chaiReady = null;
  function chai() {
    if (chaiReady === null) {
      var c = lib('chai');
      // The SDK's own objects (pm.sendRequest's replies) are recognised by the SDK, if loaded.
      var sdkTypes = {
        Response: { isResponse: function (o) { return o instanceof PmResponse || ('postman-collection' in bundles && bundles['postman-collection'].Response.isResponse(o)); } },
        Request: { isRequest: function (o) { return o instanceof PmRequest || ('postman-collection' in bundles && bundles['postman-collection'].Request.isRequest(o)); } }
      };
      var Ajv = function (options) { return new (lib('ajv'))(options); };
      // The plugin defines chai's words, as the libraries' own module code does: from pristine
      // built-ins.
      pristine(function () { c.use(lib('chai-postman')(sdkTypes, lib('lodash'), Ajv)); });
      chaiReady = c;
    }
    return chaiReady;
  }
  // Lookup tables are prototype-less objects read with `in`: the cheapest lookup in QuickJS.
  function table(entries) { return Object.assign(Object.create(null), entries); }

  // pm.expect: chai behind Vayu's fast path (fast_path.js, which the host hands over).
  var fastPath = global.__vayu_fast_path(chai, resHeaderList);
  delete global.__vayu_fast_path;
  function expect(value, message) {
    return value instanceof PmResponse ? fastPath.response(value, message) : fastPath.value(value, message);
  }
  expect.fail = function () { var f = chai().expect.fail; return f.apply(null, arguments); };

  // --- The context arrives as strings and is parsed only if a script looks at it ------------
  function req() {
    if (state.request === null) state.request = parseJson(runRequestJson);
    return state.request;
  }
  function context() {
    if (state.context === null) state.context = parseJson(runContextJson);
    return state.context;
  }
  function vars() {
    if (state.variables === null) {
      state.variables = parseJson(runVariablesJson);
      if (!state.variables.data) state.variables.data = {};
    }
    return state.variables;
  }
  function resHeaderList() {
    if (state.responseHeaders === null) {
      state.responseHeaders = runHeaderBlock === '' ? [] : runHeaderBlock.split('\n').map(function (line) {
        var at = line.indexOf(':');
        return { key: line.slice(0, at), value: line.slice(at + 1) };
      });
    }
    return state.responseHeaders;
  }

  // --- Variables ---------------------------------------------------------------------------
  // A name no scope has may be one of Postman's dynamic variables ({{$guid}}, {{$randomInt}},
  // ...): the collection SDK resolves those, a new value each time. As the SDK substitutes:
  // names as written (not trimmed), and values that name variables substituted again, up to
  // 19 passes.
  function replaceIn(text, lookup) {
    var out = String(text);
    for (var pass = 0; pass < 19; pass++) {
      var replaced = false;
      out = out.replace(/\{\{([^{}]*?)\}\}/g, function (whole, name) {
        var v = lookup(name);
        if (v === undefined && name.charAt(0) === '$') v = dynamicVariable(name);
        if (v === undefined) return whole;
        replaced = true;
        return typeof v === 'string' ? v : stringify(v);
      });
      if (!replaced) break;
    }
    return out;
  }
  function dynamicVariable(name) {
    var whole = '{{' + name + '}}';
    var v = lib('postman-collection').Property.replaceSubstitutions(whole, []);
    return v === whole ? undefined : v;
  }
  function has(object, key) { return hasOwn(object, key); }

  function scope(name) {
    function own() { return vars()[name]; }
    return {
      get: function (k) { var s = own(); return has(s, k) ? s[k] : undefined; },
      set: function (k, v) { own()[k] = v; },
      unset: function (k) { delete own()[k]; },
      has: function (k) { return has(own(), k); },
      clear: function () { vars()[name] = {}; },
      toObject: function () { return Object.assign({}, own()); },
      replaceIn: function (text) { var s = own(); return replaceIn(text, function (k) { return has(s, k) ? s[k] : undefined; }); }
    };
  }

  // Postman's precedence: local, then the iteration's data row, environment, collection, globals.
  var ORDER = ['local', 'data', 'environment', 'collection', 'globals'];
  function resolve(k) {
    for (var i = 0; i < ORDER.length; i++) {
      var s = vars()[ORDER[i]];
      if (has(s, k)) return s[k];
    }
    return undefined;
  }
  var variables = scope('local');
  variables.get = resolve;
  variables.has = function (k) { return resolve(k) !== undefined; };
  variables.toObject = function () {
    var out = {};
    for (var i = ORDER.length - 1; i >= 0; i--) Object.assign(out, vars()[ORDER[i]]);
    return out;
  };
  variables.replaceIn = function (text) { return replaceIn(text, resolve); };

  // --- pm.request ----------------------------------------------------------------------------
  function PmRequest() {}
  function requestHeaders() {
    function find(name) {
      var lower = String(name).toLowerCase();
      return req().headers.filter(function (h) { return h[0].toLowerCase() === lower; });
    }
    function item(h, v) { return typeof h === 'string' ? { key: h, value: v === undefined ? '' : String(v) } : { key: h.key, value: String(h.value) }; }
    return {
      get: function (name) { var f = find(name); return f.length ? f[0][1] : undefined; },
      has: function (name, value) {
        var f = find(name);
        return value === undefined ? f.length > 0 : f.some(function (h) { return h[1] === String(value); });
      },
      one: function (name) { var f = find(name); return f.length ? { key: f[0][0], value: f[0][1] } : undefined; },
      toObject: function () {
        var out = {};
        req().headers.forEach(function (h) { if (!(h[0] in out)) out[h[0]] = h[1]; });
        return out;
      },
      all: function () { return req().headers.map(function (h) { return { key: h[0], value: h[1] }; }); },
      each: function (fn) { req().headers.forEach(function (h) { fn({ key: h[0], value: h[1] }); }); },
      count: function () { return req().headers.length; },
      add: function (h, v) { var it = item(h, v); req().headers.push([it.key, it.value]); },
      upsert: function (h, v) {
        var it = item(h, v), lower = it.key.toLowerCase(), done = false;
        req().headers = req().headers.filter(function (x) {
          if (x[0].toLowerCase() !== lower) return true;
          if (done) return false;
          x[1] = it.value;
          done = true;
          return true;
        });
        if (!done) req().headers.push([it.key, it.value]);
      },
      remove: function (name) {
        var lower = String(name).toLowerCase();
        req().headers = req().headers.filter(function (x) { return x[0].toLowerCase() !== lower; });
      }
    };
  }
  var reqHeaders = requestHeaders();
  var request = new PmRequest();
  // pm.request.auth is the SDK's RequestAuth, made on first use, for the auth types Vayu sends:
  // each is Vayu's object with its fields as the SDK's parameters, under Postman's names.
  var AUTH_FIELDS = {
    basic: [['username', 'username'], ['password', 'password']],
    bearer: [['token', 'token']],
    apikey: [['key', 'key'], ['value', 'value'], ['in', 'in']],
    digest: [['username', 'username'], ['password', 'password']],
    oauth2: [['accessToken', 'accessToken'], ['addTokenTo', 'in'], ['headerPrefix', 'headerPrefix']]
  };
  // The signing types carry Postman's parameter names in Vayu too (src/model/auth/): `!` marks
  // a boolean, `?` a field whose absence differs from empty (left out when absent).
  var SIGNED_AUTH_FIELDS = {
    awsv4: 'accessKey secretKey region service sessionToken',
    ntlm: 'username password domain workstation',
    oauth1: 'consumerKey consumerSecret token tokenSecret privateKey signatureMethod timestamp nonce version realm callback verifier !includeBodyHash !addParamsToHeader !addEmptyParamsToSign !disableHeaderEncoding',
    hawk: 'authId authKey algorithm user nonce extraData app delegation timestamp !includePayloadHash',
    jwt: 'algorithm secret !isSecretBase64Encoded privateKey payload header ?addTokenTo ?headerPrefix queryParamKey',
    edgegrid: 'accessToken clientToken clientSecret nonce timestamp baseURL headersToSign maxBodySize',
    asap: 'alg kid iss exp aud sub privateKey claims'
  };
  function signedAuth(type, p) {
    if (type === 'awsv4' && (p.addAuthDataToQuery === true || p.addAuthDataToQuery === 'true')) {
      throw new Error('pm.request.auth: awsv4 with addAuthDataToQuery is not supported; Vayu signs in the Authorization header');
    }
    var out = { type: type };
    SIGNED_AUTH_FIELDS[type].split(' ').forEach(function (f) {
      var name = f.replace(/^[!?]/, ''), v = p[name];
      if (f[0] === '!') out[name] = v === true || v === 'true';
      else if (v !== undefined && v !== null) out[name] = String(v);
      else if (f[0] !== '?') out[name] = '';
    });
    return out;
  }
  function sdkAuth(auth) {
    if (!auth) return undefined;
    var RequestAuth = lib('postman-collection').RequestAuth;
    var spec = { type: auth.type };
    if (SIGNED_AUTH_FIELDS[auth.type]) {
      spec[auth.type] = Object.keys(auth).filter(function (k) { return k !== 'type'; }).map(function (k) {
        return { key: k, value: auth[k] };
      });
      return new RequestAuth(spec);
    }
    spec[auth.type] = AUTH_FIELDS[auth.type].filter(function (f) { return auth[f[1]] !== undefined; }).map(function (f) {
      var v = auth[f[1]];
      if (auth.type === 'oauth2' && f[1] === 'in') v = v === 'query' ? 'queryParams' : 'header';
      return { key: f[0], value: v };
    });
    return new RequestAuth(spec);
  }
  function vayuAuth(auth) {
    if (auth === undefined || auth === null || auth.type === 'noauth') return null;
    var fields = AUTH_FIELDS[auth.type];
    var p = auth.parameters().toObject();
    if (SIGNED_AUTH_FIELDS[auth.type]) return signedAuth(auth.type, p);
    if (!fields) throw new Error('pm.request.auth: Vayu sends basic, bearer, apikey, digest, oauth2 (with an access token), awsv4, ntlm, oauth1, hawk, jwt, edgegrid and asap auth; ' + stringify(auth.type) + ' is not supported');
    var out = { type: auth.type };
    fields.forEach(function (f) {
      if (p[f[0]] === undefined || p[f[0]] === null) return;
      var v = String(p[f[0]]);
      if (auth.type === 'oauth2' && f[1] === 'in') v = v === 'queryParams' ? 'query' : 'header';
      if (f[1] === 'in' && v === 'header') return;
      out[f[1]] = v;
    });
    ['username', 'password', 'token', 'key', 'value', 'accessToken'].forEach(function (k) {
      if (fields.some(function (f) { return f[1] === k; }) && out[k] === undefined) out[k] = '';
    });
    return out;
  }
  Object.defineProperty(request, 'auth', {
    get: function () {
      if (!state.authRead) {
        state.auth = sdkAuth(req().auth);
        state.authRead = true;
      }
      return state.auth;
    },
    set: function (v) {
      state.authRead = true;
      state.auth = v === undefined || v === null ? undefined : (v instanceof lib('postman-collection').RequestAuth ? v : new (lib('postman-collection').RequestAuth)(v));
    }
  });
  Object.defineProperty(request, 'method', { get: function () { return req().method; }, set: function (v) { req().method = String(v); } });
  // The url is the collection SDK's Url, made on first use; what a pre-request script does to it
  // is what is sent (written back when the script ends).
  Object.defineProperty(request, 'url', {
    get: function () {
      if (state.url === null) {
        state.url = guarded(function () { return new (lib('postman-collection').Url)(req().url); });
        state.urlWas = state.url.toString();
      }
      return state.url;
    },
    set: function (v) {
      state.url = null;
      req().url = typeof v === 'string' ? v : new (lib('postman-collection').Url)(v).toString();
    }
  });
  Object.defineProperty(request, 'headers', { get: function () { return reqHeaders; } });
  // chai-postman's request assertions (`pm.request.to.have.header(...)`), as postman-sandbox
  // defines `to` on the request.
  Object.defineProperty(request, 'to', { get: function () { return chai().expect(this).to; } });
  Object.defineProperty(request, 'body', {
    get: function () {
      var raw = req().body;
      return { mode: 'raw', raw: raw === null ? '' : raw, toString: function () { return raw === null ? '' : raw; } };
    },
    set: function (v) {
      req().body = v === null || v === undefined ? null : (typeof v === 'object' ? (v.raw !== undefined ? String(v.raw) : stringify(v)) : String(v));
    }
  });

  // --- pm.response -----------------------------------------------------------------------------
  // The common reads (code, status, body, json) are served from the context the engine passed;
  // the rest is the collection SDK's Response, built on first use, so headers, size(),
  // contentInfo() and the like behave exactly as in Postman.
  function PmResponse() {}
  function sdkResponse() {
    if (state.sdkResponse === null) {
      var r = runMeta;
      state.sdkResponse = guarded(function () {
        return new (lib('postman-collection').Response)({
          code: r[1],
          status: r[2],
          header: resHeaderList(),
          body: runBody,
          responseTime: r[3],
          responseSize: r[4]
        });
      });
    }
    return state.sdkResponse;
  }
  var response = new PmResponse();
  Object.defineProperty(response, 'code', { get: function () { return runMeta[1]; } });
  Object.defineProperty(response, 'responseTime', { get: function () { return runMeta[3]; } });
  Object.defineProperty(response, 'responseSize', { get: function () { return runMeta[4]; } });
  Object.defineProperty(response, 'status', { get: function () { return runMeta[2] || sdkResponse().reason(); } });
  Object.defineProperty(response, 'headers', { get: function () { return sdkResponse().headers; } });
  Object.defineProperty(response, 'to', { get: function () { return fastPath.response(this); } });
  response.text = function () { return runBody; };
  // The body parsed once per run, when a script first asks: the value, and the run it is of
  // (closure variables: a field added to the run's state would cost more).
  var jsonValue, jsonState = null;
  response.json = function (reviver, strict) {
    if (reviver === undefined && !strict) {
      if (jsonState === state) return jsonValue;
      try {
        jsonValue = parseJson(runBody);
        jsonState = state;
        return jsonValue;
      } catch (e) { /* the SDK's parser accepts comments and a BOM, and names the error as Postman does */ }
    }
    return sdkResponse().json(reviver, strict);
  };
  response.reason = function () { return this.status; };
  ['details', 'size', 'contentInfo', 'dataURI', 'jsonp', 'encoding', 'toJSON'].forEach(function (name) {
    response[name] = function () { var r = sdkResponse(); return r[name].apply(r, arguments); };
  });

  // --- pm ----------------------------------------------------------------------------------
  var pm = {};
  // V8 words the most common script error differently from QuickJS; Postman users see V8's.
  var READ_OF = /^cannot read property '(.*)' of (undefined|null)$/;
  function message(e) {
    var text = e && e.message !== undefined ? String(e.message) : String(e);
    var read = e instanceof TypeError && READ_OF.exec(text);
    return read ? 'Cannot read properties of ' + read[2] + " (reading '" + read[1] + "')" : text;
  }
  // Postman reports a test that threw something other than an object under the test's name.
  function testError(e, name) { return e !== null && typeof e === 'object' ? message(e) : name; }
  // What Newman's failure list calls a failed test: the thrown error's name (chai's
  // AssertionError, a TypeError, a plain Error).
  function errorName(e) { return e !== null && typeof e === 'object' && typeof e.name === 'string' && e.name !== '' ? e.name : 'Error'; }
  // A test's result: only its name is its own until it fails (every property QuickJS adds to an
  // object costs).
  function TestEntry(name) { this.name = typeof name === 'string' ? name : String(name); }
  TestEntry.prototype = { __proto__: null, passed: true, skipped: false, error: undefined, errorName: undefined };
  function test(name, fn) {
    var entry = new TestEntry(name);
    state.tests.push(entry);
    if (typeof fn !== 'function') return pm;
    try {
      // A test that takes `done` finishes when it calls it; until then it counts as passed.
      if (fn.length) {
        fn(function (err) {
          if (err && entry.passed) { entry.passed = false; entry.error = testError(err, entry.name); entry.errorName = errorName(err); }
        });
      } else {
        fn();
      }
    } catch (e) {
      entry.passed = false;
      entry.error = testError(e, entry.name);
      entry.errorName = errorName(e);
      // QuickJS throws null when it cannot allocate even its out-of-memory error: the host
      // names it and starts the run's next script from a fresh runtime.
      if (e === null && state.error === null) state.error = scriptError(e);
    }
    return pm;
  }
  test.skip = function (name) {
    // Own fields for all four: a script's Object.prototype.error must not show on it.
    state.tests.push({ name: String(name), passed: true, skipped: true, error: undefined, errorName: undefined });
    return pm;
  };
  test.index = function () { return state.tests.length; };

  pm.test = test;
  pm.expect = expect;
  pm.environment = scope('environment');
  pm.collectionVariables = scope('collection');
  pm.globals = scope('globals');
  pm.variables = variables;
  pm.require = requireModule;
  // pm.sendRequest(urlOrRequest[, callback]): the request goes out through the engine, on this
  // worker, after the script's current call returns; the callback runs when its response is in.
  // Without a callback it returns a promise. The phase ends when every callback has run.
  var nextSend = 1;
  function sendRequest(spec, callback) {
    if (spec === undefined || spec === null || spec === '') throw new Error('sendrequest: nothing to request');
    var request = outgoing(spec);
    var id = nextSend++;
    var s = state;
    if (s.outbox === null) {
      s.outbox = [];
      s.callbacks = {};
    }
    s.outbox.push({ id: id, request: request });
    s.waiting++;
    if (typeof callback === 'function') {
      s.callbacks[id] = callback;
      return undefined;
    }
    return new Promise(function (resolve, reject) {
      s.callbacks[id] = function (err, res) { if (err) reject(err); else resolve(res); };
    });
  }
  // A request as Postman's sendRequest takes it (a url, or {url, method, header, body}), as a
  // Vayu request.
  function outgoing(spec) {
    if (typeof spec === 'string') return { name: '', url: spec, method: 'GET', headers: [], body: null };
    var url = spec.url;
    url = typeof url === 'string' ? url : new (lib('postman-collection').Url)(url).toString();
    var headers = [];
    var header = spec.header || spec.headers;
    if (Array.isArray(header)) {
      header.forEach(function (h) { if (h && !h.disabled) headers.push([String(h.key), String(h.value)]); });
    } else if (typeof header === 'string') {
      header.split('\n').forEach(function (line) { var at = line.indexOf(':'); if (at > 0) headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]); });
    } else if (header && typeof header === 'object') {
      Object.keys(header).forEach(function (k) { headers.push([k, String(header[k])]); });
    }
    var body = null, b = spec.body;
    if (typeof b === 'string') body = b;
    else if (b && b.mode === 'raw') body = b.raw === undefined ? '' : String(b.raw);
    else if (b && b.mode === 'urlencoded') {
      body = (b.urlencoded || []).filter(function (p) { return !p.disabled; })
        .map(function (p) { return encodeURIComponent(p.key) + '=' + encodeURIComponent(p.value === undefined ? '' : p.value); }).join('&');
      if (!headers.some(function (h) { return h[0].toLowerCase() === 'content-type'; })) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    } else if (b && b.mode) {
      throw new Error('pm.sendRequest: body mode ' + stringify(b.mode) + ' is not supported yet; use raw or urlencoded');
    }
    return { name: '', url: String(url), method: String(spec.method || 'GET').toUpperCase(), headers: headers, body: body };
  }
  pm.sendRequest = sendRequest;
  Object.defineProperty(pm, 'info', {
    get: function () {
      var c = context();
      return {
        eventName: runMeta ? 'test' : 'prerequest',
        iteration: runIteration,
        iterationCount: c.iterationCount,
        requestName: req().name,
        requestId: c.requestId
      };
    }
  });
  // The iteration's data row: read-only to scripts, as in Postman.
  var iterationData = {
    get: function (k) { var d = vars().data; return has(d, k) ? d[k] : undefined; },
    has: function (k) { return has(vars().data, k); },
    toObject: function () { return Object.assign({}, vars().data); },
    toJSON: function () { return Object.assign({}, vars().data); },
    replaceIn: function (text) { var d = vars().data; return replaceIn(text, function (k) { return has(d, k) ? d[k] : undefined; }); }
  };
  pm.iterationData = iterationData;
  function setNextRequest(name) { state.nextRequest = name === null || name === undefined ? 'endRun' : { named: String(name) }; }
  pm.execution = {
    skipRequest: function () {
      // Postman's test scripts have no skipRequest; this is the error a call gets there.
      if (runMeta) throw new TypeError('pm.execution.skipRequest is not a function');
      state.skipRequest = true;
    },
    setNextRequest: setNextRequest
  };
  pm.visualizer = {
    set: function (template, data, options) {
      state.visualizer = { template: String(template), data: data === undefined ? null : data, options: options === undefined ? null : options };
    },
    clear: function () { state.visualizer = null; }
  };
  // The run's cookie jar: tough-cookie, as in Postman's runtime. Responses of a design run store
  // their cookies in it and its requests send them (the host asks, see the entry points below);
  // pm.cookies.jar() reads and changes it.
  // The virtual users of a load run share a runtime, each with a jar of its own (jar 0 is the
  // run's): the host picks the user's jar before it calls in.
  var jars = {}, jarId = 0, runJar = null;
  // As postman-request makes Newman's jar: loose mode (a cookie without `=`) and no public
  // suffix list, so `--export-cookie-jar` writes what Newman's does.
  function cookieJar() {
    if (runJar === null) {
      runJar = jars[jarId] = new (lib('tough-cookie').CookieJar)(undefined, { looseMode: true, rejectPublicSuffixes: false });
    }
    return runJar;
  }
  function sdkCookie(c) {
    return new (lib('postman-collection').Cookie)({
      name: c.key, value: c.value, expires: c.expires === 'Infinity' ? null : c.expires, maxAge: c.maxAge,
      domain: c.domain, path: c.path, secure: c.secure, httpOnly: c.httpOnly, hostOnly: c.hostOnly
    });
  }
  function jarUrl(url) {
    if (url && typeof url === 'object' && typeof url.toString === 'function') url = url.toString();
    if (typeof url !== 'string' || url === '') throw new TypeError('CookieJar: invalid URL');
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : 'http://' + url;
  }
  // Postman's jar API: callbacks (err, result), or a promise without one.
  function jarCall(work, callback) {
    var run = new Promise(function (resolve) { resolve(work()); });
    if (callback === undefined) return run;
    if (typeof callback !== 'function') throw new TypeError('callback needs to be a function');
    run.then(function (result) { callback(null, result); }, function (err) { callback(err instanceof Error ? err : new Error(err)); });
  }
  var jarApi = {
    get: function (url, name, callback) {
      return jarCall(function () {
        var found = cookieJar().getCookiesSync(jarUrl(url)).filter(function (c) { return c.key === name; })[0];
        return found ? found.value : null;
      }, callback);
    },
    getAll: function (url, options, callback) {
      if (typeof options === 'function') { callback = options; options = {}; }
      return jarCall(function () { return cookieJar().getCookiesSync(jarUrl(url), options || {}).map(sdkCookie); }, callback);
    },
    set: function (url, name, value, callback) {
      var cookie = name;
      if (typeof name === 'string') cookie = { key: name, value: value === undefined ? '' : String(value) };
      else callback = value;
      return jarCall(function () {
        // Only the fields given: an undefined one would replace tough-cookie's default.
        var options = { key: cookie.key || cookie.name, value: cookie.value === undefined ? '' : String(cookie.value) };
        ['path', 'domain', 'expires', 'maxAge', 'secure', 'httpOnly'].forEach(function (k) {
          if (cookie[k] !== undefined && cookie[k] !== null) options[k] = k === 'expires' ? new Date(cookie[k]) : cookie[k];
        });
        return sdkCookie(cookieJar().setCookieSync(new (lib('tough-cookie').Cookie)(options), jarUrl(url)));
      }, callback);
    },
    unset: function (url, name, callback) {
      return jarCall(function () {
        var u = jarUrl(url), store = cookieJar().store;
        cookieJar().getCookiesSync(u).filter(function (c) { return c.key === name; }).forEach(function (c) {
          store.removeCookie(c.domain, c.path, c.key, function () {});
        });
      }, callback);
    },
    clear: function (url, callback) {
      return jarCall(function () {
        var u = jarUrl(url), store = cookieJar().store;
        cookieJar().getCookiesSync(u).forEach(function (c) { store.removeCookie(c.domain, c.path, c.key, function () {}); });
      }, callback);
    }
  };
  // pm.cookies: the jar's cookies for the request's url once the run has a jar, else the
  // response's own Set-Cookie headers; as the collection SDK's CookieList.
  Object.defineProperty(pm, 'cookies', {
    get: function () {
      if (state.cookies === null) {
        var sdk = lib('postman-collection');
        var list;
        if (runJar !== null) {
          list = runJar.getCookiesSync(jarUrl(req().url)).map(sdkCookie);
        } else {
          list = runMeta ? resHeaderList().filter(function (h) { return h.key.toLowerCase() === 'set-cookie'; })
            .map(function (h) { return sdk.Cookie.parse(h.value); }) : [];
        }
        var cookies = new sdk.CookieList(null, list);
        cookies.jar = function () { return jarApi; };
        state.cookies = cookies;
      }
      return state.cookies;
    }
  });
  // The host's cookie entry points: the Cookie header a request of this run sends, and the
  // cookies a response set. Both are cheap while the run has no jar.
  hidden('__vayu_cookie_header', function (url) {
    if (runJar === null) return '';
    try { return runJar.getCookieStringSync(jarUrl(url)); } catch (e) { return ''; }
  });
  // A dynamic variable of a request ({{$guid}}): a fresh value, or undefined for a name the
  // SDK does not know.
  hidden('__vayu_dynamic_variable', dynamicVariable);
  hidden('__vayu_use_jar', function (id) {
    jarId = id;
    runJar = jars[id] === undefined ? null : jars[id];
  });
  hidden('__vayu_drop_jar', function (id) {
    delete jars[id];
    if (id === jarId) runJar = null;
  });
  // Newman's --cookie-jar and --export-cookie-jar: the jar in tough-cookie's JSON form.
  hidden('__vayu_load_jar', function (text) {
    runJar = jars[jarId] = lib('tough-cookie').CookieJar.fromJSON(text);
  });
  hidden('__vayu_jar_json', function () {
    var json = cookieJar().toJSON();
    // tough-cookie names the store by its constructor, which the bundle minifies.
    if (cookieJar().store instanceof lib('tough-cookie').MemoryCookieStore) json.storeType = 'MemoryCookieStore';
    return JSON.stringify(json, null, 2);
  });
  hidden('__vayu_store_cookies', function (url, headerBlock) {
    if (headerBlock === '') return;
    headerBlock.split('\n').forEach(function (line) {
      var at = line.indexOf(':');
      if (line.slice(0, at).trim().toLowerCase() === 'set-cookie') {
        try { cookieJar().setCookieSync(line.slice(at + 1).trim(), jarUrl(url), { ignoreError: true }); } catch (e) { /* a cookie the jar refuses is dropped, as a browser does */ }
      }
    });
  });
  Object.defineProperty(pm, 'request', { get: function () { return request; } });
  Object.defineProperty(pm, 'response', {
    get: function () {
      if (!runMeta) throw new Error('pm.response is not available in a pre-request script');
      return response;
    }
  });

  // --- console ------------------------------------------------------------------------------
  // Newman's cli reporter shows each console argument as Node's util.inspect does (its options:
  // depth 25, at most 100 array items, breakLength 44 when not on a terminal): strings quoted,
  // objects on one line when they fit, else one entry a line. This is that, for the values a
  // script can log (the sandbox hands Newman plain data; a function shows as its name).
  var INSPECT_BREAK = 44;
  function inspectString(s) {
    var q = s.indexOf("'") < 0 ? "'" : (s.indexOf('"') < 0 ? '"' : (s.indexOf('`') < 0 ? '`' : "'"));
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i), code = s.charCodeAt(i);
      if (c === q || c === '\\') out += '\\' + c;
      else if (c === '\n') out += '\\n';
      else if (c === '\t') out += '\\t';
      else if (c === '\r') out += '\\r';
      else if (code < 0x20 || code === 0x7f) out += '\\x' + (code < 16 ? '0' : '') + code.toString(16).toUpperCase();
      else out += c;
    }
    return q + out + q;
  }
  function inspectKey(k) {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : inspectString(k);
  }
  function inspectValue(ctx, v, level) {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string': return inspectString(v);
      case 'undefined': return 'undefined';
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return String(v) + 'n';
      case 'boolean': return String(v);
      case 'symbol': return String(v);
      case 'function': return inspectString('[Function: ' + (v.name || '(anonymous)') + ']');
    }
    if (ctx.seen.indexOf(v) >= 0) return '[Circular *1]';
    if (v instanceof Date) return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Error) return v.stack ? String(v.stack) : '[' + String(v) + ']';
    var isArray = Array.isArray(v);
    if (level > 25) return isArray ? '[Array]' : '[Object]';
    ctx.seen.push(v);
    ctx.depth = level;
    var output = [], i;
    if (isArray) {
      for (i = 0; i < v.length && i < 100; i++) output.push(entry(ctx, v[i], level));
      if (v.length > 100) output.push('... ' + (v.length - 100) + ' more item' + (v.length - 100 > 1 ? 's' : ''));
    }
    var keys = Object.keys(v);
    for (i = 0; i < keys.length; i++) {
      if (isArray && /^(0|[1-9][0-9]*)$/.test(keys[i])) continue;
      output.push(inspectKey(keys[i]) + ': ' + entry(ctx, v[keys[i]], level));
    }
    ctx.seen.pop();
    var open = isArray ? '[' : '{', close = isArray ? ']' : '}';
    if (output.length === 0) return open + close;
    var entries = output.length;
    if (isArray && entries > 6) output = groupArrayItems(ctx, output, v);
    // Node joins an object on one line when it fits and it is among the innermost three levels
    // of what was formatted last (its `compact: 3`).
    if (ctx.depth - level < 3 && entries === output.length) {
      var start = output.length + ctx.indent + open.length + 10, total = output.length + start, fits = total + output.length <= INSPECT_BREAK;
      for (i = 0; fits && i < output.length; i++) {
        total += output[i].length;
        if (total > INSPECT_BREAK) fits = false;
      }
      var joined = output.join(', ');
      if (fits && joined.indexOf('\n') < 0) return open + ' ' + joined + ' ' + close;
    }
    var pad = '\n' + new Array(ctx.indent + 1).join(' ');
    return open + pad + '  ' + output.join(',' + pad + '  ') + pad + close;
  }
  // More than six array items go in aligned columns when at least three fit on a line.
  function groupArrayItems(ctx, output, value) {
    var count = output.length, total = 0, max = 0, lengths = [], i, j;
    if (value.length > 100) count--;
    for (i = 0; i < count; i++) {
      lengths.push(output[i].length);
      total += output[i].length + 2;
      if (output[i].length > max) max = output[i].length;
    }
    var width = max + 2;
    if (!(width * 3 + ctx.indent < INSPECT_BREAK && (total / width > 5 || max <= 6))) return output;
    var bias = Math.sqrt(width - total / output.length), biased = Math.max(width - 3 - bias, 1);
    var columns = Math.min(Math.round(Math.sqrt(2.5 * biased * count) / biased),
      Math.floor((INSPECT_BREAK - ctx.indent) / width), 12, 15);
    if (columns <= 1) return output;
    var widths = [];
    for (i = 0; i < columns; i++) {
      var line = 0;
      for (j = i; j < output.length; j += columns) if (lengths[j] > line) line = lengths[j];
      widths.push(line + 2);
    }
    var numbers = true;
    for (i = 0; i < output.length; i++) if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') { numbers = false; break; }
    var rows = [];
    for (i = 0; i < count; i += columns) {
      var last = Math.min(i + columns, count), row = '';
      for (j = i; j < last - 1; j++) row += padTo(output[j] + ', ', widths[j - i], numbers);
      row += numbers ? padTo(output[j], widths[j - i] - 2, true) : output[j];
      rows.push(row);
    }
    if (value.length > 100) rows.push(output[count]);
    return rows;
  }
  function padTo(text, width, start) {
    var pad = width > text.length ? new Array(width - text.length + 1).join(' ') : '';
    return start ? pad + text : text + pad;
  }
  function entry(ctx, v, level) {
    ctx.indent += 2;
    var out = inspectValue(ctx, v, level + 1);
    ctx.indent -= 2;
    return out;
  }
  function inspect(v) {
    return inspectValue({ seen: [], depth: 0, indent: 0 }, v, 0);
  }

  // A console line: its text, its arguments as Newman shows them, and how many tests the
  // script had recorded before it (Newman prints lines and assertions in the order they came).
  function consoleMethod(level) {
    return function () {
      var parts = [], shown = [];
      for (var i = 0; i < arguments.length; i++) {
        var a = arguments[i];
        if (typeof a === 'string') parts.push(a);
        else try { parts.push(stringify(a)); } catch (e) { parts.push(String(a)); }
        try { shown.push(inspect(a)); } catch (e) { shown.push(String(a)); }
      }
      log({ level: level, message: parts.join(' '), shown: shown.join(', '), at: state.tests.length });
    };
  }
  // The prelude's globals are non-enumerable: after each run, anything enumerable on the global
  // object was left there by a script and is removed (see the entry point).
  function hidden(name, value) {
    Object.defineProperty(global, name, { value: value, writable: false, enumerable: false, configurable: false });
  }
  function lazy(name, get) {
    Object.defineProperty(global, name, { get: get, enumerable: false, configurable: false });
  }
  hidden('console', {
    log: consoleMethod('log'),
    info: consoleMethod('info'),
    warn: consoleMethod('warn'),
    error: consoleMethod('error'),
    debug: consoleMethod('debug')
  });
  hidden('require', requireModule);
  hidden('pm', pm);
  lazy('atob', function () { return requireModule('atob'); });
  lazy('btoa', function () { return requireModule('btoa'); });
  hidden('xml2Json', xml2Json);
  // Postman's legacy library globals: `_` is lodash 3 there, `require('lodash')` lodash 4.
  lazy('_', function () { return loading ? undefined : lib('lodash3'); });
  lazy('CryptoJS', function () { return requireModule('crypto-js'); });
  lazy('tv4', function () { return requireModule('tv4'); });
  // --- Sugar.js -------------------------------------------------------------------------------
  // Postman's sandbox loads Sugar 1.3.9 before any script runs: its methods on the built-ins
  // (`[].none()`, `fn.once()`, `(1).ordinalize()`, `Date.create()`, ...) and its versions of a few
  // natives (`map('name')`, `filter(value)`, `startsWith(/re/)`, `Object.keys(o, fn)`, and a trim
  // that also trims U+180E). Evaluating its 300 KB in every runtime would cost every run, so it
  // loads when a script first reaches for it: each name it adds (found at build time, see
  // js/build.mjs) holds a stand-in accessor that loads it, and the natives it changes are
  // wrapped here, passing to Sugar exactly when Sugar's own wrapper would not call the native.
  var toTag = ObjectProto.toString;
  function restoreStubs() {
    for (var i = 0; i < stubs.length; i++) {
      var s = stubs[i], now = describe(s.target, s.name);
      // Only the stand-in itself goes: a script may have replaced it meanwhile.
      if (now && (s.get !== undefined ? now.get === s.get : now.value === s.value)) {
        deleteProperty(s.target, s.name);
        if (s.native !== undefined) defineProperty(s.target, s.name, s.native);
      }
    }
    stubs = [];
  }
  function loadSugar() {
    if (sugarLoaded) return;
    sugarLoaded = true;
    restoreStubs();
    loadBundle('sugar');
  }
  function isSugarFunction(f) { return toTag.call(f) === '[object Function]'; }
  function standIn(target, name) {
    if (hasOwn(target, name)) return; // natively here: Sugar keeps it too
    var stub = {
      target: target, name: name, native: undefined, value: undefined,
      get: function () { loadSugar(); return Reflect.get(target, name, this); },
      // Assigning to the name does what it would do to Sugar's writable method, without Sugar:
      // on the object that holds it, it replaces it; elsewhere (`fn.once = ...` on a function,
      // as lodash does to itself), it makes a property of the object's own.
      set: function (v) {
        if (this === target) defineProperty(target, name, { __proto__: null, value: v, writable: true, enumerable: false, configurable: true });
        else if (this !== null && (typeof this === 'object' || typeof this === 'function')) Reflect.defineProperty(this, name, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true });
      }
    };
    defineProperty(target, name, { __proto__: null, get: stub.get, set: stub.set, enumerable: false, configurable: true });
    stubs.push(stub);
    stubFunctions.add(stub.get);
  }
  // `sugars(args, self)` says whether Sugar's version must answer this call.
  function wrapNative(target, name, sugars) {
    var native = describe(target, name);
    var original = native.value;
    var wrapper = function () {
      if (!sugarLoaded && !sugars(arguments, this)) return original.apply(this, arguments);
      loadSugar();
      return target[name].apply(this, arguments);
    };
    defineProperty(wrapper, 'name', { __proto__: null, value: name });
    defineProperty(target, name, { __proto__: null, value: wrapper, writable: true, enumerable: false, configurable: true });
    stubs.push({ target: target, name: name, native: descriptor(native), value: wrapper, get: undefined });
    stubFunctions.add(wrapper);
  }
  (function () {
    var names = loadBundle('sugar-names');
    Object.keys(names).forEach(function (where) {
      var dot = where.indexOf('.');
      var target = dot === -1 ? global[where] : global[where.slice(0, dot)].prototype;
      names[where].forEach(function (name) { standIn(target, name); });
    });
    // Sugar's conditions for its own version of these natives (sugar-full.development.js).
    var notCallback = function (args) { return args.length > 0 && !isSugarFunction(args[0]); };
    ['map', 'every', 'some', 'filter'].forEach(function (name) { wrapNative(ArrayProto, name, notCallback); });
    wrapNative(Object, 'keys', function (args) { return isSugarFunction(args[1]); });
    ['startsWith', 'endsWith'].forEach(function (name) {
      wrapNative(String.prototype, name, function (args) { return toTag.call(args[0]) === '[object RegExp]' || args.length > 2; });
    });
    // Sugar's trims also remove U+180E, which ES2016 took out of the white space.
    ['trim', 'trimLeft', 'trimRight'].forEach(function (name) {
      wrapNative(String.prototype, name, function (args, self) { return typeof self !== 'string' || self.indexOf('\u180E') !== -1; });
    });
  })();

  // --- Postman's legacy sandbox --------------------------------------------------------------
  // As postman-sandbox's postman-legacy-interface.js: the legacy names are the parameters of the
  // function a script is compiled into, and a script gets built only those it names (the host
  // passes a bit mask, in the order of host.rs's LEGACY_NAMES). Each object or function among
  // them warns once per script, on first use, that it is deprecated, as Postman's does.
  var LEGACY_NAMES = ['tests', 'globals', 'environment', 'data', 'request', 'responseCookies', 'responseHeaders',
    'responseTime', 'responseCode', 'responseBody', 'iteration', 'postman', '_', 'CryptoJS', 'atob', 'btoa', 'tv4', 'xml2Json'];
  var TEST_ONLY = table({ responseCookies: true, responseHeaders: true, responseTime: true, responseCode: true, responseBody: true });
  var LEGACY_ALTERNATIVES = {
    tests: 'pm.test()', globals: 'pm.globals', environment: 'pm.environment', data: 'pm.iterationData',
    request: 'pm.request', responseCookies: 'pm.cookies', responseHeaders: 'pm.response.headers',
    responseTime: 'pm.response.responseTime', responseCode: 'pm.response.code', responseBody: 'pm.response.text()',
    iteration: 'pm.info.iteration', _: "require('lodash')", CryptoJS: "require('crypto-js')", atob: "require('atob')",
    btoa: "require('btoa')", tv4: "require('ajv')", xml2Json: "require('xml2js')",
    'postman.setNextRequest': 'pm.execution.setNextRequest()'
  };
  // A legacy setter stores what it is given as a string, as postman-sandbox's does (but 0, '',
  // null and undefined as they are).
  function legacyValue(value) {
    if ((value === false || value) && typeof (value && value.toString) === 'function') value = value.toString();
    return value;
  }
  // `postman.*Variable*` of one scope: the scope itself, and the legacy snapshot the script
  // reads (`environment`, `globals`), which the legacy setters keep in step.
  function legacyScope(snapshot, scope) {
    return {
      set: function (key, value) {
        value = legacyValue(value);
        snapshot[key] = value;
        scope.set(key, value);
      },
      get: function (key) { return scope.get(key); },
      clearAll: function () {
        for (var k in snapshot) { if (hasOwn(snapshot, k)) delete snapshot[k]; }
        scope.clear();
      },
      clear: function (key) {
        if (key) delete snapshot[key];
        scope.unset(key);
      }
    };
  }
  function legacyInterface(test, environment, globals) {
    var env = legacyScope(environment, pm.environment), glob = legacyScope(globals, pm.globals);
    var api = {
      setEnvironmentVariable: env.set,
      getEnvironmentVariable: env.get,
      clearEnvironmentVariables: env.clearAll,
      clearEnvironmentVariable: env.clear,
      setGlobalVariable: glob.set,
      getGlobalVariable: glob.get,
      clearGlobalVariables: glob.clearAll,
      clearGlobalVariable: glob.clear,
      setNextRequest: setNextRequest
    };
    if (test) {
      api.getResponseCookie = function (name) { return pm.cookies.one(String(name)); };
      api.getResponseHeader = function (name) {
        var header = pm.response.headers.one(name);
        return header ? header.value : undefined;
      };
    }
    return api;
  }
  // The legacy `request`: the request as a plain object, headers by lower-cased name (a name
  // given twice has its values in a list).
  function legacyRequest() {
    var r = req(), headers = {};
    r.headers.forEach(function (h) {
      var k = h[0].toLowerCase();
      if (!hasOwn(headers, k)) headers[k] = h[1];
      else if (Array.isArray(headers[k])) headers[k].push(h[1]);
      else headers[k] = [headers[k], h[1]];
    });
    var c = context();
    return {
      id: c.requestId === '' ? undefined : c.requestId,
      name: r.name,
      description: r.description === undefined || r.description === '' ? undefined : r.description,
      headers: headers,
      method: r.method,
      url: r.url,
      data: r.form ? formData(r.form) : (r.body === null || r.body === '' ? {} : r.body)
    };
  }
  // A form body's fields by name, a repeated name's values in a list (as Newman's legacy data).
  function formData(fields) {
    var data = {};
    fields.forEach(function (f) {
      var k = f[0];
      if (!hasOwn(data, k)) data[k] = f[1];
      else if (Array.isArray(data[k])) data[k].push(f[1]);
      else data[k] = [data[k], f[1]];
    });
    return data;
  }
  // The values of the legacy names a script uses, in LEGACY_NAMES order.
  function legacyArguments(mask, body, warnings) {
    var test = runMeta !== null, r = runMeta, values = [];
    var environment = mask & 0x804 ? Object.assign({}, vars().environment) : {};
    var globals = mask & 0x802 ? Object.assign({}, vars().globals) : {};
    for (var i = 0; i < LEGACY_NAMES.length; i++) {
      // A pre-request script's function has no parameters for the test-only names.
      if (!test && TEST_ONLY[LEGACY_NAMES[i]]) continue;
      if (!(mask & (1 << i))) { values.push(undefined); continue; }
      var v;
      switch (LEGACY_NAMES[i]) {
        case 'tests': v = state.legacyTests = {}; break;
        case 'globals': v = globals; break;
        case 'environment': v = environment; break;
        case 'data': v = Object.assign({}, vars().data); break;
        case 'request': v = legacyRequest(); break;
        case 'responseCookies': v = pm.cookies; break;
        case 'responseHeaders': v = legacyHeaders(); break;
        case 'responseTime': v = r[3]; break;
        case 'responseCode': v = sdkResponse().details(); break;
        // After a request that failed (no response: code 0) Newman's responseBody is undefined.
        case 'responseBody': v = r[1] === 0 ? undefined : body; break;
        case 'iteration': v = runIteration; break;
        case 'postman': v = legacyInterface(test, environment, globals); break;
        case '_': v = global._; break;
        case 'CryptoJS': v = requireModule('crypto-js'); break;
        case 'atob': v = requireModule('atob'); break;
        case 'btoa': v = requireModule('btoa'); break;
        case 'tv4': v = requireModule('tv4'); break;
        case 'xml2Json': v = xml2Json; break;
      }
      values.push(v !== null && (typeof v === 'object' || typeof v === 'function') ? warnOnUse(LEGACY_NAMES[i], v, warnings) : v);
    }
    return values;
  }
  function warnOnUse(key, target, warnings) {
    function warn(name) {
      if (!warnings.on || warnings[name]) return;
      warnings[name] = true;
      var instead = LEGACY_ALTERNATIVES[name];
      log({ level: 'warn', message: instead ? 'Using "' + name + '" is deprecated. Use "' + instead + '" instead.' : 'Using "' + name + '" is deprecated.' });
    }
    return new Proxy(target, {
      set: function (t, prop, value) { warn(key); t[prop] = value; },
      get: function (t, prop) { warn(key === 'postman' ? 'postman.setNextRequest' : key); return t[prop]; },
      apply: function (t, self, args) { warn(key); return t.apply(self, args); }
    });
  }
  function legacyHeaders() {
    var out = {};
    resHeaderList().forEach(function (h) { out[h.key] = h.value; });
    return out;
  }

  // --- The host's entry point ----------------------------------------------------------------
  // One script run's state. What a run may never touch lives on the prototype, so a run adds
  // only the fields it always sets: every property QuickJS adds to an object costs.
  // One script run's state. What a run may never touch lives on the prototype, so a run adds
  // only the fields it always sets: every property QuickJS adds to an object costs. What the
  // host passed in lives in the closure variables below (cheaper still), and moves into the
  // state only while a phase waits for pm.sendRequest responses.
  var runRequestJson = '', runContextJson = '', runVariablesJson = '', runHeaderBlock = '', runBody = '';
  var runIteration = 0, runMeta = null;
  function RunState() {
    this.tests = [];
  }
  // With the body parsed for the run: a phase resumed after its pm.sendRequest gets the same
  // object it had, whatever other runs parsed meanwhile.
  function saveInputs() {
    return [runRequestJson, runContextJson, runVariablesJson, runHeaderBlock, runBody, runIteration, runMeta, jsonValue, jsonState];
  }
  function restoreInputs(saved) {
    runRequestJson = saved[0]; runContextJson = saved[1]; runVariablesJson = saved[2]; runHeaderBlock = saved[3];
    runBody = saved[4]; runIteration = saved[5]; runMeta = saved[6]; jsonValue = saved[7]; jsonState = saved[8];
  }
  // The console lines of the run, made with its first line.
  function log(line) {
    if (state.console === null) state.console = [];
    state.console.push(line);
  }
  RunState.prototype = {
    console: null,
    request: null,
    variables: null,
    context: null,
    url: null,
    urlWas: '',
    cookies: null,
    skipRequest: false,
    nextRequest: null,
    visualizer: null,
    responseHeaders: null,
    sdkResponse: null,
    auth: undefined,
    authRead: false,
    legacyTests: null,
    // pm.sendRequest: requests not yet handed to the host, callbacks by request id, how many
    // responses the phase still waits for, and the phase's id while it waits.
    outbox: null,
    callbacks: null,
    waiting: 0,
    phase: 0,
    error: null,
    // What the host passed in, while the phase waits (see saveInputs).
    inputs: null
  };

  // run is [iteration, legacy] for a pre-request script, and [iteration, code, status,
  // responseTime, responseSize, legacy] for a test script; legacy is the mask of the legacy
  // names the script uses.
  hidden('__vayu_run', function (script, requestJson, contextJson, variablesJson, run, headerBlock, responseBody) {
    runRequestJson = requestJson; runContextJson = contextJson; runVariablesJson = variablesJson;
    runHeaderBlock = headerBlock; runBody = responseBody; runIteration = run[0];
    // A test script's run: [iteration, code, status, responseTime, responseSize, legacy].
    runMeta = run.length === 2 ? null : run;
    state = new RunState();
    var legacy = run[run.length - 1];
    var warnings = null;
    try {
      if (legacy === 0) {
        script();
      } else {
        warnings = { on: true };
        script.apply(undefined, legacyArguments(legacy, responseBody, warnings));
      }
    } catch (e) {
      state.error = scriptError(e);
    }
    jobs();
    if (warnings !== null) {
      warnings.on = false;
      // Only the script's own entries are tests: never what a prototype lends the object.
      var legacyTests = state.legacyTests;
      if (legacyTests !== null) {
        Object.keys(legacyTests).forEach(function (name) {
          var ok = !!legacyTests[name];
          state.tests.push({ name: name, passed: ok, skipped: false, error: ok ? undefined : 'expected ' + String(legacyTests[name]) + ' to be truthy', errorName: undefined });
        });
      }
    }
    return endCall();
  });

  // A response to one of the phase's pm.sendRequest calls: meta is null when the request failed
  // (error says why), else [code, status, responseTime, responseSize].
  hidden('__vayu_resume', function (phase, id, error, meta, headerBlock, body) {
    state = phases[phase];
    delete phases[phase];
    restoreInputs(state.inputs);
    var callback = state.callbacks[id];
    delete state.callbacks[id];
    state.waiting--;
    var response;
    if (meta !== null) {
      var sdk = lib('postman-collection');
      response = guarded(function () {
        return new sdk.Response({
          code: meta[0],
          status: meta[1],
          responseTime: meta[2],
          header: headerBlock === '' ? [] : headerBlock.split('\n').map(function (line) {
            var at = line.indexOf(':');
            return { key: line.slice(0, at), value: line.slice(at + 1) };
          }),
          body: body
        });
      });
    }
    if (state.error === null) {
      try {
        // The host passes no error as undefined.
        callback(error === undefined || error === null ? null : new Error(error), response);
      } catch (e) {
        state.error = scriptError(e);
      }
      jobs();
    }
    return endCall();
  });

  // The host gave up on a waiting phase: it ends now with this error, keeping the tests that
  // ran.
  hidden('__vayu_abandon', function (phase, why) {
    state = phases[phase];
    delete phases[phase];
    restoreInputs(state.inputs);
    state.error = { message: why, stack: '', name: 'Error' };
    return endCall();
  });

  var phases = {}; // phases waiting for pm.sendRequest responses, by id
  var nextPhase = 1;
  function scriptError(e) {
    return { message: message(e), stack: e && e.stack ? String(e.stack) : '', name: e && e.name ? String(e.name) : 'Error' };
  }
  // Promise reactions (pm.sendRequest without a callback, async test code) run before the call
  // returns to the host.
  // The host's job runner says why it stopped early (the time limit ran out while jobs were
  // still coming: `await` in a loop, a promise chain that never ends), or nothing.
  var drainJobs = global.__vayu_drain_jobs;
  delete global.__vayu_drain_jobs;
  function jobs() {
    var late = drainJobs();
    if (typeof late === 'string' && state.error === null) state.error = { message: late, stack: '', name: 'Error' };
  }
  // Ends one call from the host: the requests the phase wants sent, or its final results.
  function endCall() {
    if (state.error === null && state.waiting > 0) {
      // A phase keeps its id from its first wait to its end.
      if (state.phase === 0) state.phase = nextPhase++;
      var phase = state.phase;
      phases[phase] = state;
      state.inputs = saveInputs();
      var outbox = state.outbox;
      var out = '{"phase":' + phase + ',"send":' + guarded(function () { return stringify(outbox); }) + '}';
      state.outbox = [];
      state = null;
      return out;
    }
    // Nothing a script leaves on the global object survives into the next script, as in
    // Newman. The prelude's own globals and the built-ins are non-enumerable, so for-in sees
    // only what scripts added (for-in costs less than Object.keys here in QuickJS).
    for (var k in global) {
      try { delete global[k]; } catch (e) { /* non-configurable: nothing to do */ }
    }
    var json = guarded(results);
    state = null;
    return json;
  }
  function results() {
    if (state.url !== null && state.url.toString() !== state.urlWas) req().url = state.url.toString();
    if (state.authRead && state.error === null) {
      try {
        var auth = vayuAuth(state.auth);
        if (stringify(auth) !== stringify(req().auth || null)) req().auth = auth;
      } catch (e) {
        state.error = scriptError(e);
      }
    }
    return resultJson(state, state.error);
  }
  // A call from the host ended in an exception the script could not catch (the time limit):
  // what the script left on the global object goes, as after any script.
  hidden('__vayu_reset', function () {
    state = null;
    for (var k in global) {
      try { delete global[k]; } catch (e) { /* non-configurable: nothing to do */ }
    }
  });

  // The results as JSON for the host, written out by hand: QuickJS's JSON.stringify costs
  // several microseconds even for two test results. Test names repeat from response to response,
  // so their quoted form is kept (a bounded cache).
  var quotedNames = Object.create(null), quotedCount = 0;
  function quote(text) {
    var q = quotedNames[text];
    if (q === undefined) {
      if (quotedCount >= 1024) { quotedNames = Object.create(null); quotedCount = 0; }
      q = quotedNames[text] = stringify(String(text));
      quotedCount++;
    }
    return q;
  }
  // A variable set to undefined keeps its name, as Newman's scopes keep it; a request then
  // reads it as `null` (`{{id}}` after `pm.environment.set('id', undefined)` sends `null`).
  function keepUndefined(variables) {
    var scopes = [variables.local, variables.data, variables.environment, variables.collection, variables.globals];
    return function (key, value) { return value === undefined && scopes.indexOf(this) >= 0 ? null : value; };
  }
  // A passed test's JSON is the same from response to response: kept whole (a bounded cache).
  var passedTests = Object.create(null), passedCount = 0;
  function testJson(t) {
    if (t.passed && !t.skipped && t.error === undefined && t.errorName === undefined) {
      var json = passedTests[t.name];
      if (json === undefined) {
        if (passedCount >= 1024) { passedTests = Object.create(null); passedCount = 0; }
        json = passedTests[t.name] = '{"name":' + quote(t.name) + ',"passed":true,"skipped":false}';
        passedCount++;
      }
      return json;
    }
    return '{"name":' + quote(t.name) + (t.passed ? ',"passed":true' : ',"passed":false') +
      (t.skipped ? ',"skipped":true' : ',"skipped":false') +
      (t.errorName !== undefined ? ',"errorName":' + quote(t.errorName) : '') +
      (t.error === undefined ? '}' : ',"error":' + stringify(String(t.error)) + '}');
  }
  function resultJson(run, error) {
    var tests = run.tests, lines = run.console, variables = run.variables, request = runMeta ? null : run.request;
    var out = '{"tests":[';
    for (var i = 0; i < tests.length; i++) out += i ? ',' + testJson(tests[i]) : testJson(tests[i]);
    out += lines !== null ? '],"console":' + stringify(lines) : '],"console":[]';
    out += error === null ? ',"error":null' : ',"error":' + stringify(error);
    if (variables !== null) out += ',"variables":' + stringify(variables, keepUndefined(variables));
    if (request !== null) out += ',"request":' + stringify(request);
    if (run.skipRequest) out += ',"skipRequest":true';
    if (run.nextRequest !== null) out += ',"nextRequest":' + stringify(run.nextRequest);
    if (run.visualizer !== null) out += ',"visualizer":' + stringify(run.visualizer);
    return out + '}';
  }
  [pm, test, expect, global.console, request, response, reqHeaders, variables, iterationData, pm.execution, pm.visualizer, jarApi,
    pm.environment, pm.collectionVariables, pm.globals, PmResponse.prototype, PmRequest.prototype].forEach(Object.freeze);
})(globalThis, globalThis.__vayu_load);
delete globalThis.__vayu_load;
