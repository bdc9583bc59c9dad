// Vayu's script prelude: the Postman-compatible `pm` API. Evaluated once per worker runtime;
// `__vayu.run` is called once per script execution with the request/response context.
(function (global) {
  'use strict';

  var state = null; // this execution's context and results; reset by every run()

  // The context arrives as strings and is parsed only if a script looks at it: a typical test
  // script reads the status and the body, not the request, the headers or the variables.
  function req() {
    if (state.request === null) state.request = JSON.parse(state.requestJson);
    return state.request;
  }
  function vars() {
    if (state.variables === null) state.variables = JSON.parse(state.variablesJson);
    return state.variables;
  }
  function resHeaderList() {
    if (state.responseHeaders === null) {
      state.responseHeaders = state.headerBlock === '' ? [] : state.headerBlock.split('\n').map(function (line) {
        var at = line.indexOf(':');
        return [line.slice(0, at), line.slice(at + 1)];
      });
    }
    return state.responseHeaders;
  }

  function typeName(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (v instanceof RegExp) return 'regexp';
    if (v instanceof Date) return 'date';
    return typeof v;
  }

  // Values in messages read as chai prints them: 'text', 42, [ 1, 2 ], { a: 1 }.
  function show(v) {
    if (typeof v === 'string') return "'" + v + "'";
    if (v === undefined) return 'undefined';
    if (typeof v === 'number' && isNaN(v)) return 'NaN';
    if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']';
    if (v instanceof RegExp) return String(v);
    if (Array.isArray(v)) return '[ ' + v.map(show).join(', ') + ' ]';
    if (v && typeof v === 'object') {
      var keys = Object.keys(v);
      if (keys.length === 0) return '{}';
      return '{ ' + keys.map(function (k) { return k + ': ' + show(v[k]); }).join(', ') + ' }';
    }
    return String(v);
  }

  function deepEqual(a, b) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (typeof a === 'number' && typeof b === 'number') return isNaN(a) && isNaN(b);
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(b, ka[i]) || !deepEqual(a[ka[i]], b[ka[i]])) return false;
    }
    return true;
  }

  function AssertionError(message) {
    var e = new Error(message);
    e.name = 'AssertionError';
    return e;
  }

  // --- pm.expect: chai's BDD style -------------------------------------------------------
  function Assertion(obj, flags) {
    this._obj = obj;
    this._negate = !!(flags && flags.negate);
    this._deep = !!(flags && flags.deep);
    this._contains = false;
  }

  Assertion.prototype._assert = function (ok, message, negatedMessage) {
    if (this._negate ? ok : !ok) {
      throw AssertionError(this._negate ? negatedMessage : message);
    }
    return this;
  };

  var chains = ['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same', 'does', 'but'];
  chains.forEach(function (name) {
    Object.defineProperty(Assertion.prototype, name, { get: function () { return this; } });
  });
  Object.defineProperty(Assertion.prototype, 'not', { get: function () { this._negate = !this._negate; return this; } });
  Object.defineProperty(Assertion.prototype, 'deep', { get: function () { this._deep = true; return this; } });

  function getter(names, fn) {
    names.forEach(function (n) { Object.defineProperty(Assertion.prototype, n, { get: fn }); });
  }
  function method(names, fn) {
    names.forEach(function (n) { Assertion.prototype[n] = fn; });
  }

  getter(['ok'], function () {
    return this._assert(!!this._obj, 'expected ' + show(this._obj) + ' to be truthy', 'expected ' + show(this._obj) + ' to be falsy');
  });
  [['true', true], ['false', false], ['null', null], ['undefined', undefined]].forEach(function (pair) {
    getter([pair[0]], function () {
      return this._assert(this._obj === pair[1], 'expected ' + show(this._obj) + ' to be ' + pair[0], 'expected ' + show(this._obj) + ' not to be ' + pair[0]);
    });
  });
  getter(['NaN'], function () {
    return this._assert(typeof this._obj === 'number' && isNaN(this._obj), 'expected ' + show(this._obj) + ' to be NaN', 'expected ' + show(this._obj) + ' not to be NaN');
  });
  getter(['exist'], function () {
    return this._assert(this._obj !== null && this._obj !== undefined, 'expected ' + show(this._obj) + ' to exist', 'expected ' + show(this._obj) + ' to not exist');
  });
  getter(['empty'], function () {
    var o = this._obj, empty;
    if (typeof o === 'string' || Array.isArray(o)) empty = o.length === 0;
    else if (o && typeof o === 'object') empty = Object.keys(o).length === 0;
    else throw AssertionError('.empty was passed non-string primitive ' + show(o));
    return this._assert(empty, 'expected ' + show(o) + ' to be empty', 'expected ' + show(o) + ' not to be empty');
  });

  method(['equal', 'equals', 'eq'], function (v) {
    var ok = this._deep ? deepEqual(this._obj, v) : this._obj === v;
    var verb = this._deep ? 'deeply equal ' : 'equal ';
    return this._assert(ok, 'expected ' + show(this._obj) + ' to ' + verb + show(v), 'expected ' + show(this._obj) + ' to not ' + verb + show(v));
  });
  method(['eql', 'eqls'], function (v) {
    return this._assert(deepEqual(this._obj, v), 'expected ' + show(this._obj) + ' to deeply equal ' + show(v), 'expected ' + show(this._obj) + ' to not deeply equal ' + show(v));
  });
  method(['a', 'an'], function (type) {
    var t = String(type).toLowerCase(), actual = typeName(this._obj);
    var article = /^[aeiou]/.test(t) ? 'an ' : 'a ';
    return this._assert(actual === t, 'expected ' + show(this._obj) + ' to be ' + article + t, 'expected ' + show(this._obj) + ' not to be ' + article + t);
  });

  function numeric(self, name) {
    if (typeof self._obj !== 'number' && !(self._obj instanceof Date)) {
      throw AssertionError('expected ' + show(self._obj) + ' to be a number or a date (for .' + name + ')');
    }
  }
  method(['above', 'gt', 'greaterThan'], function (n) {
    numeric(this, 'above');
    return this._assert(this._obj > n, 'expected ' + show(this._obj) + ' to be above ' + show(n), 'expected ' + show(this._obj) + ' to be at most ' + show(n));
  });
  method(['below', 'lt', 'lessThan'], function (n) {
    numeric(this, 'below');
    return this._assert(this._obj < n, 'expected ' + show(this._obj) + ' to be below ' + show(n), 'expected ' + show(this._obj) + ' to be at least ' + show(n));
  });
  method(['least', 'gte', 'greaterThanOrEqual'], function (n) {
    numeric(this, 'least');
    return this._assert(this._obj >= n, 'expected ' + show(this._obj) + ' to be at least ' + show(n), 'expected ' + show(this._obj) + ' to be below ' + show(n));
  });
  method(['most', 'lte', 'lessThanOrEqual'], function (n) {
    numeric(this, 'most');
    return this._assert(this._obj <= n, 'expected ' + show(this._obj) + ' to be at most ' + show(n), 'expected ' + show(this._obj) + ' to be above ' + show(n));
  });
  method(['within'], function (lo, hi) {
    numeric(this, 'within');
    var range = show(lo) + '..' + show(hi);
    return this._assert(this._obj >= lo && this._obj <= hi, 'expected ' + show(this._obj) + ' to be within ' + range, 'expected ' + show(this._obj) + ' to not be within ' + range);
  });

  method(['include', 'includes', 'contain', 'contains'], function (v) {
    var o = this._obj, ok;
    if (typeof o === 'string') ok = o.indexOf(v) !== -1;
    else if (Array.isArray(o)) ok = o.some(function (x) { return this._deep ? deepEqual(x, v) : x === v; }, this);
    else if (o && typeof o === 'object' && v && typeof v === 'object') ok = Object.keys(v).every(function (k) { return deepEqual(o[k], v[k]); });
    else if (o && typeof o === 'object') ok = Object.prototype.hasOwnProperty.call(o, v);
    else throw AssertionError('expected ' + show(o) + ' to be a string, an array or an object (for .include)');
    return this._assert(ok, 'expected ' + show(o) + ' to include ' + show(v), 'expected ' + show(o) + ' to not include ' + show(v));
  });

  method(['property'], function (name, value) {
    var o = this._obj;
    var has = o !== null && o !== undefined && (typeof o === 'object' || typeof o === 'function' ? name in o : Object.prototype.hasOwnProperty.call(Object(o), name));
    if (arguments.length > 1) {
      var matches = has && (this._deep ? deepEqual(o[name], value) : o[name] === value);
      return this._assert(matches,
        'expected ' + show(o) + ' to have property ' + show(name) + ' of ' + show(value) + (has ? ', but got ' + show(o[name]) : ''),
        'expected ' + show(o) + ' to not have property ' + show(name) + ' of ' + show(value));
    }
    this._assert(has, 'expected ' + show(o) + ' to have property ' + show(name), 'expected ' + show(o) + ' to not have property ' + show(name));
    if (!this._negate) this._obj = o[name]; // chai: .property(name) moves the assertion to the value
    return this;
  });

  method(['lengthOf', 'length'], function (n) {
    var o = this._obj;
    var len = o === null || o === undefined ? undefined : (o instanceof Map || o instanceof Set ? o.size : o.length);
    return this._assert(len === n, 'expected ' + show(o) + ' to have a length of ' + show(n) + ' but got ' + show(len), 'expected ' + show(o) + ' to not have a length of ' + show(n));
  });
  method(['match', 'matches'], function (re) {
    return this._assert(re.test(this._obj), 'expected ' + show(this._obj) + ' to match ' + String(re), 'expected ' + show(this._obj) + ' not to match ' + String(re));
  });
  method(['oneOf'], function (list) {
    var o = this._obj, deep = this._deep;
    var ok = list.some(function (x) { return deep ? deepEqual(x, o) : x === o; });
    return this._assert(ok, 'expected ' + show(o) + ' to be one of ' + show(list), 'expected ' + show(o) + ' to not be one of ' + show(list));
  });
  method(['keys', 'key'], function () {
    var wanted = arguments.length === 1 && typeof arguments[0] === 'object' ? (Array.isArray(arguments[0]) ? arguments[0] : Object.keys(arguments[0])) : Array.prototype.slice.call(arguments);
    var actual = Object.keys(this._obj || {});
    var ok = wanted.length === actual.length && wanted.every(function (k) { return actual.indexOf(String(k)) !== -1; });
    return this._assert(ok, 'expected ' + show(this._obj) + ' to have keys ' + show(wanted), 'expected ' + show(this._obj) + ' to not have keys ' + show(wanted));
  });
  method(['members'], function (list) {
    var o = this._obj, deep = true;
    var has = function (arr, x) { return arr.some(function (y) { return deep ? deepEqual(x, y) : x === y; }); };
    var ok = Array.isArray(o) && o.length === list.length && list.every(function (x) { return has(o, x); }) && o.every(function (x) { return has(list, x); });
    return this._assert(ok, 'expected ' + show(o) + ' to have the same members as ' + show(list), 'expected ' + show(o) + ' to not have the same members as ' + show(list));
  });

  // --- Variables ---------------------------------------------------------------------------
  function replaceIn(text, lookup) {
    return String(text).replace(/\{\{([^{}]+)\}\}/g, function (whole, name) {
      var v = lookup(name.trim());
      return v === undefined ? whole : (typeof v === 'string' ? v : JSON.stringify(v));
    });
  }

  function scope(name) {
    function own() { return vars()[name]; }
    return {
      get: function (k) { return own()[k]; },
      set: function (k, v) { own()[k] = v; },
      unset: function (k) { delete own()[k]; },
      has: function (k) { return Object.prototype.hasOwnProperty.call(own(), k); },
      clear: function () { vars()[name] = {}; },
      toObject: function () { return Object.assign({}, own()); },
      replaceIn: function (text) { return replaceIn(text, function (k) { return own()[k]; }); }
    };
  }

  // Postman's precedence: local, then environment, collection, globals.
  var ORDER = ['local', 'environment', 'collection', 'globals'];
  function resolve(k) {
    for (var i = 0; i < ORDER.length; i++) {
      var s = vars()[ORDER[i]];
      if (Object.prototype.hasOwnProperty.call(s, k)) return s[k];
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

  // --- Headers -----------------------------------------------------------------------------
  function headerList(get) {
    function find(name) {
      var lower = String(name).toLowerCase();
      return get().filter(function (h) { return h[0].toLowerCase() === lower; });
    }
    return {
      get: function (name) { var f = find(name); return f.length ? f[0][1] : undefined; },
      has: function (name, value) {
        var f = find(name);
        return value === undefined ? f.length > 0 : f.some(function (h) { return h[1] === String(value); });
      },
      toObject: function () {
        var out = {};
        get().forEach(function (h) { if (!(h[0] in out)) out[h[0]] = h[1]; });
        return out;
      },
      all: function () { return get().map(function (h) { return { key: h[0], value: h[1] }; }); },
      each: function (fn) { get().forEach(function (h) { fn({ key: h[0], value: h[1] }); }); },
      count: function () { return get().length; }
    };
  }

  function requestHeaders() {
    var list = headerList(function () { return req().headers; });
    function item(h, v) { return typeof h === 'string' ? { key: h, value: v === undefined ? '' : String(v) } : { key: h.key, value: String(h.value) }; }
    list.add = function (h, v) { var it = item(h, v); req().headers.push([it.key, it.value]); };
    list.upsert = function (h, v) {
      var it = item(h, v), lower = it.key.toLowerCase(), done = false;
      req().headers = req().headers.filter(function (x) {
        if (x[0].toLowerCase() !== lower) return true;
        if (done) return false;
        x[1] = it.value;
        done = true;
        return true;
      });
      if (!done) req().headers.push([it.key, it.value]);
    };
    list.remove = function (name) {
      var lower = String(name).toLowerCase();
      req().headers = req().headers.filter(function (x) { return x[0].toLowerCase() !== lower; });
    };
    return list;
  }

  // --- pm.response and its assertions (chai-postman) ----------------------------------------
  function body() { return state.body; }
  function json() {
    if (!state.jsonParsed) {
      state.json = JSON.parse(state.body);
      state.jsonParsed = true;
    }
    return state.json;
  }

  function statusCheck(name, test, describe) {
    return function () {
      var code = state.response.code;
      if (!test(code)) throw AssertionError('expected response to ' + describe + ' but got ' + code);
      return responseAssertions;
    };
  }
  var responseAssertions = {};
  var be = {};
  var have = {};
  [['info', function (c) { return c >= 100 && c < 200; }, 'have a 1xx status'],
   ['success', function (c) { return c >= 200 && c < 300; }, 'have a 2xx status'],
   ['redirection', function (c) { return c >= 300 && c < 400; }, 'have a 3xx status'],
   ['clientError', function (c) { return c >= 400 && c < 500; }, 'have a 4xx status'],
   ['serverError', function (c) { return c >= 500 && c < 600; }, 'have a 5xx status'],
   ['error', function (c) { return c >= 400 && c < 600; }, 'have a 4xx or 5xx status'],
   ['ok', function (c) { return c === 200; }, 'have status code 200'],
   ['accepted', function (c) { return c === 202; }, 'have status code 202'],
   ['badRequest', function (c) { return c === 400; }, 'have status code 400'],
   ['unauthorized', function (c) { return c === 401; }, 'have status code 401'],
   ['forbidden', function (c) { return c === 403; }, 'have status code 403'],
   ['notFound', function (c) { return c === 404; }, 'have status code 404'],
   ['rateLimited', function (c) { return c === 429; }, 'have status code 429']
  ].forEach(function (s) { Object.defineProperty(be, s[0], { get: statusCheck(s[0], s[1], s[2]) }); });
  Object.defineProperty(be, 'json', {
    get: function () {
      try { json(); } catch (e) { throw AssertionError('expected response body to be valid JSON but got ' + show(state.body.slice(0, 100))); }
      return responseAssertions;
    }
  });
  have.status = function (expected) {
    var r = state.response;
    if (typeof expected === 'number') {
      if (r.code !== expected) throw AssertionError('expected response to have status code ' + expected + ' but got ' + r.code);
    } else if (r.status !== expected) {
      throw AssertionError('expected response to have status reason ' + show(expected) + ' but got ' + show(r.status));
    }
    return responseAssertions;
  };
  have.header = function (name, value) {
    var h = pm.response.headers;
    if (!h.has(name)) throw AssertionError('expected response to have header ' + show(name));
    if (arguments.length > 1 && h.get(name) !== String(value)) {
      throw AssertionError('expected response to have header ' + show(name) + ' with value ' + show(String(value)) + ' but got ' + show(h.get(name)));
    }
    return responseAssertions;
  };
  have.body = function (expected) {
    if (expected instanceof RegExp ? !expected.test(state.body) : state.body !== String(expected)) {
      throw AssertionError('expected response body to ' + (expected instanceof RegExp ? 'match ' + String(expected) : 'equal ' + show(expected)) + ' but got ' + show(state.body.slice(0, 200)));
    }
    return responseAssertions;
  };
  have.jsonBody = function (path, value) {
    var data;
    try { data = json(); } catch (e) { throw AssertionError('expected response body to be valid JSON'); }
    if (arguments.length === 0) return responseAssertions;
    if (typeof path === 'object') {
      if (!deepEqual(data, path)) throw AssertionError('expected response body to deeply equal ' + show(path) + ' but got ' + show(data));
      return responseAssertions;
    }
    var found = true, cur = data;
    String(path).split('.').forEach(function (part) {
      if (found && cur !== null && typeof cur === 'object' && part in cur) cur = cur[part];
      else found = false;
    });
    if (!found) throw AssertionError('expected response body to have property ' + show(path));
    if (arguments.length > 1 && !deepEqual(cur, value)) {
      throw AssertionError('expected response body property ' + show(path) + ' to equal ' + show(value) + ' but got ' + show(cur));
    }
    return responseAssertions;
  };
  have.responseTime = {
    below: function (ms) {
      if (!(state.response.responseTime < ms)) throw AssertionError('expected response time ' + state.response.responseTime + 'ms to be below ' + ms + 'ms');
      return responseAssertions;
    },
    above: function (ms) {
      if (!(state.response.responseTime > ms)) throw AssertionError('expected response time ' + state.response.responseTime + 'ms to be above ' + ms + 'ms');
      return responseAssertions;
    }
  };
  be.have = have;
  have.be = be;
  responseAssertions.be = be;
  responseAssertions.have = have;
  responseAssertions.to = responseAssertions;
  responseAssertions.and = responseAssertions;

  // --- pm ----------------------------------------------------------------------------------
  function test(name, fn) {
    var entry = { name: String(name), passed: true, skipped: false };
    state.tests.push(entry);
    try {
      if (typeof fn === 'function') fn();
    } catch (e) {
      entry.passed = false;
      entry.error = e && e.message !== undefined ? String(e.message) : String(e);
    }
  }
  test.skip = function (name) {
    state.tests.push({ name: String(name), passed: true, skipped: true });
  };

  var pm = {
    test: test,
    expect: function (v) { return new Assertion(v); },
    environment: scope('environment'),
    collectionVariables: scope('collection'),
    globals: scope('globals'),
    variables: variables,
    sendRequest: function () { throw new Error('pm.sendRequest is not available in Vayu: scripts cannot make network requests'); }
  };
  Object.defineProperty(pm, 'info', {
    get: function () {
      return { requestName: req().name, iteration: state.iteration, eventName: state.response ? 'test' : 'prerequest' };
    }
  });
  var reqHeaders = requestHeaders();
  var request = {};
  Object.defineProperty(request, 'method', { get: function () { return req().method; }, set: function (v) { req().method = String(v); } });
  Object.defineProperty(request, 'url', { get: function () { return req().url; }, set: function (v) { req().url = String(v); } });
  Object.defineProperty(request, 'headers', { get: function () { return reqHeaders; } });
  Object.defineProperty(request, 'body', {
    get: function () {
      var raw = req().body;
      return { mode: 'raw', raw: raw === null ? '' : raw, toString: function () { return raw === null ? '' : raw; } };
    },
    set: function (v) {
      req().body = v === null || v === undefined ? null : (typeof v === 'object' ? (v.raw !== undefined ? String(v.raw) : JSON.stringify(v)) : String(v));
    }
  });
  Object.defineProperty(pm, 'request', { get: function () { return request; } });
  var resHeaders = headerList(resHeaderList);
  var response = {
    json: json,
    text: body,
    reason: function () { return state.response.status; },
    to: responseAssertions
  };
  ['code', 'status', 'responseTime', 'responseSize'].forEach(function (k) {
    Object.defineProperty(response, k, { get: function () { return state.response[k]; } });
  });
  Object.defineProperty(response, 'headers', { get: function () { return resHeaders; } });
  Object.defineProperty(pm, 'response', {
    get: function () {
      if (!state.response) throw new Error('pm.response is not available in a pre-request script');
      return response;
    }
  });

  function consoleMethod(level) {
    return function () {
      var parts = Array.prototype.map.call(arguments, function (a) {
        if (typeof a === 'string') return a;
        try { return JSON.stringify(a); } catch (e) { return String(a); }
      });
      state.console.push({ level: level, message: parts.join(' ') });
    };
  }
  // The prelude's globals are non-enumerable: after each run, anything enumerable on the global
  // object was left there by a script and is removed (see the entry point).
  function hidden(name, value) {
    Object.defineProperty(global, name, { value: value, writable: false, enumerable: false, configurable: false });
  }
  hidden('console', {
    log: consoleMethod('log'),
    info: consoleMethod('info'),
    warn: consoleMethod('warn'),
    error: consoleMethod('error'),
    debug: consoleMethod('debug')
  });
  hidden('require', function (name) {
    throw new Error('require(' + show(name) + ') is not available: Vayu scripts have no modules, files, network or processes');
  });
  hidden('pm', pm);
  hidden('postman', { setEnvironmentVariable: function (k, v) { pm.environment.set(k, v); }, getEnvironmentVariable: function (k) { return pm.environment.get(k); } });

  // --- The host's entry point ----------------------------------------------------------------
  // response is null before the request, else [code, status, responseTime, responseSize,
  // whether the script names the legacy responseHeaders].
  hidden('__vayu_run', function (script, requestJson, variablesJson, iteration, response, headerBlock, responseBody) {
    state = {
      requestJson: requestJson,
      request: null,
      variablesJson: variablesJson,
      variables: null,
      iteration: iteration,
      response: response === null ? null : { code: response[0], status: response[1], responseTime: response[2], responseSize: response[3] },
      headerBlock: headerBlock,
      responseHeaders: null,
      body: responseBody,
      json: undefined,
      jsonParsed: false,
      tests: [],
      console: [],
      legacyTests: {}
    };
    var r = state.response;
    var out = { tests: state.tests, console: state.console, error: null };
    try {
      // Postman's legacy sandbox names are the script function's parameters.
      script(
        state.legacyTests,
        r ? responseBody : '',
        r ? { code: r.code, name: r.status, detail: r.status } : undefined,
        r && response[4] ? resHeaders.toObject() : {},
        r ? r.responseTime : 0
      );
    } catch (e) {
      out.error = { message: e && e.message !== undefined ? String(e.message) : String(e), stack: e && e.stack ? String(e.stack) : '', name: e && e.name ? String(e.name) : 'Error' };
    }
    var legacyTests = state.legacyTests;
    for (var name in legacyTests) {
      state.tests.push({ name: name, passed: !!legacyTests[name], skipped: false, error: legacyTests[name] ? undefined : 'expected ' + show(legacyTests[name]) + ' to be truthy' });
    }
    // Nothing a script leaves on the global object survives into the next run. The prelude's
    // own globals and the built-ins are non-enumerable, so for-in sees only what scripts added.
    for (var k in global) {
      try { delete global[k]; } catch (e) { /* non-configurable: nothing to do */ }
    }
    if (state.variables !== null) out.variables = state.variables;
    if (state.request !== null && !state.response) out.request = state.request;
    state = null;
    return JSON.stringify(out);
  });

  [pm, global.console, request, response, responseAssertions, be, have, reqHeaders, resHeaders].forEach(Object.freeze);
})(globalThis);
