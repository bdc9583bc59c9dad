// Vayu's fast path in front of chai (docs/scripting.md, "Cost"). chai costs tens of microseconds
// per assertion in QuickJS: every chain word builds a new Assertion behind a Proxy, and every flag
// read goes through that Proxy. An assertion therefore starts as a plain object that answers the
// language chains, `not`, `deep` and the common checks (below) by itself, and only when they
// pass. On a failure, or at the first word it does not answer, it hands over to a real chai
// Assertion with the same object, message and flags, which produces chai's own result, message
// and everything after. So outcomes and messages are chai's; only the passing common case is
// cheaper. A check answers only for values whose verdict it can give exactly as chai would
// (primitives, arrays, plain objects); for anything else it says `undefined` and chai decides.
// `tests/scripts/fast_path.json` runs every check through both, passing and failing.
//
// This file is one function expression: the host evaluates it once per runtime and the prelude
// calls it with its `chai()` loader and the function that lists the response's headers
// (`[{key, value}]`, as the collection SDK's HeaderList is built from them); it returns the
// constructors of value and response assertions.
(function (chai, responseHeaders) {
  'use strict';
  // Taken before any script runs, as chai's own dependencies (type-detect, deep-eql) took them
  // when they loaded.
  var isArray = Array.isArray, getProto = Object.getPrototypeOf, ownSymbols = Object.getOwnPropertySymbols;
  var ObjectProto = Object.prototype, nativeToString = ObjectProto.toString;
  var TAG = Symbol.toStringTag, ITERATOR = Symbol.iterator, theGlobal = globalThis;
  var defineProperty = Object.defineProperty, hasOwn = Object.hasOwn;

  // Lookup tables are prototype-less objects read with `in`: the cheapest lookup in QuickJS.
  function table(entries) { return Object.assign(Object.create(null), entries); }
  var LANGUAGE_CHAINS = ['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at', 'of', 'same',
    'but', 'does', 'still', 'also'];

  // --- Values whose verdicts are plain -------------------------------------------------------
  // 1 for an array, 2 for a plain object, as type-detect names them ('Array', 'Object'); 0 for
  // anything else (a class instance, a tagged or iterable object, the global object, or any
  // object after a script replaced Object.prototype.toString, which type-detect then asks).
  function plainKind(o) {
    if (TAG in o) return 0;
    if (isArray(o)) return 1;
    if (getProto(o) !== ObjectProto || o === theGlobal || ITERATOR in o || ObjectProto.toString !== nativeToString) return 0;
    return ownSymbols(o).length === 0 ? 2 : 0;
  }
  // chai's `a`/`an` name of a value (type-detect's, lower-cased) where it is plain; undefined
  // where type-detect must be asked.
  function typeName(o) {
    var t = typeof o;
    if (t !== 'object') return t;
    if (o === null) return 'null';
    var kind = plainKind(o);
    return kind === 1 ? 'array' : kind === 2 ? 'object' : undefined;
  }
  function enumerableKeys(o) {
    var keys = [];
    for (var k in o) keys[keys.length] = k;
    return keys;
  }
  // deep-eql's verdict (chai's `eql`, `deep.equal`) on primitives and on arrays and plain objects
  // of them, reached as deep-eql reaches it: its simpleEqual (`===`, but +0 and -0 differ and NaN
  // equals NaN), then arrays item by item, objects by their sorted enumerable keys (for-in, as
  // deep-eql takes them) and then their values. Undefined when a value is none of these, or
  // nests deeper than 32 (deep-eql handles cycles; this does not try).
  function eql(a, b, depth) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (a !== a && b !== b) return true; // NaN
    if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') return false;
    var kind = plainKind(a), other = plainKind(b);
    if (kind === 0 || other === 0 || depth > 32) return undefined;
    if (kind !== other) return false;
    return kind === 1 ? arrayEql(a, b, depth) : objectEql(a, b, depth);
  }
  // As deep-eql's keysEqual and iterableEqual: the first difference decides.
  function valuesEql(a, b, keys, depth) {
    for (var i = 0; i < keys.length; i++) {
      var same = eql(a[keys[i]], b[keys[i]], depth + 1);
      if (same !== true) return same;
    }
    return true;
  }
  function arrayEql(a, b, depth) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) {
      var same = eql(a[i], b[i], depth + 1);
      if (same !== true) return same;
    }
    return true;
  }
  function objectEql(a, b, depth) {
    var keysA = enumerableKeys(a), keysB = enumerableKeys(b);
    if (keysA.length !== keysB.length) return false;
    if (keysA.length === 0) return true;
    var sortedA = keysA.slice().sort(), sortedB = keysB.sort();
    for (var i = 0; i < sortedA.length; i++) if (sortedA[i] !== sortedB[i]) return false;
    return valuesEql(a, b, keysA, depth);
  }

  // --- The checks ------------------------------------------------------------------------------
  // A check answers whether the assertion passes (before negation), or undefined when chai must
  // decide. Methods get the assertion and the call's argument (`property` all its arguments);
  // properties the asserted object.
  function numbers(a, b) { return typeof a === 'number' && typeof b === 'number'; }
  function equal(fast, x) { return fast.object === x; }
  function compare(test) {
    return function (fast, n) { return numbers(fast.object, n) ? test(fast.object, n) : undefined; };
  }
  // `property(name[, value])`: chai asserts the name (`in`, as its hasProperty), then with a
  // value `===` to it; negated with a value, only that the pair is not there. Passing, the
  // assertion goes on with the property's value.
  function property(fast, args) {
    var o = fast.object, name = args[0], type = typeof name;
    if (o === null || o === undefined || (type !== 'string' && type !== 'number' && type !== 'symbol')) return undefined;
    var value = o[name], has = name in Object(o);
    fast.moves = true;
    fast.next = value;
    return has && (args.length < 2 || value === args[1]);
  }
  function include(fast, x) {
    var o = fast.object;
    if (typeof o === 'string' || (typeof o === 'object' && o !== null && plainKind(o) === 1)) return o.indexOf(x) !== -1;
    return undefined;
  }
  function oneOf(fast, list) {
    return typeof list === 'object' && list !== null && plainKind(list) === 1 ? list.indexOf(fast.object) > -1 : undefined;
  }
  function match(fast, re) {
    if (!(re instanceof RegExp) || re.global || re.sticky || typeof fast.object !== 'string') return undefined;
    return re.exec(fast.object) !== null;
  }
  function an(fast, type) {
    var name = typeof type === 'string' ? typeName(fast.object) : undefined;
    return name === undefined ? undefined : type.toLowerCase() === name;
  }
  function length(fast, n) {
    var o = fast.object;
    return (isArray(o) || typeof o === 'string') && typeof n === 'number' ? o.length === n : undefined;
  }
  function deepEqual(fast, x) { return eql(x, fast.object, 0); }
  var VALUE_CHECKS = {
    properties: table({
      'true': function (o) { return o === true; },
      'false': function (o) { return o === false; },
      'null': function (o) { return o === null; },
      'undefined': function (o) { return o === undefined; },
      ok: function (o) { return !!o; },
      exist: function (o) { return o !== null && o !== undefined; }
    }),
    methods: table({
      equal: equal,
      above: compare(function (o, n) { return o > n; }),
      below: compare(function (o, n) { return o < n; }),
      least: compare(function (o, n) { return o >= n; }),
      most: compare(function (o, n) { return o <= n; }),
      eql: deepEqual,
      property: property,
      match: match,
      oneOf: oneOf
    }),
    // Words that are chai's chainable methods: called, they check; followed by a word, they
    // set a flag of chai's (below) that the next word reads.
    chainable: table({ lengthOf: length, length: length, include: include, a: an, an: an }),
    // With `deep`: `equal` is `eql`; every other check is chai's.
    deep: table({ equal: deepEqual, eql: deepEqual })
  };
  [['equals', 'equal'], ['eq', 'equal'], ['gt', 'above'], ['greaterThan', 'above'], ['lt', 'below'],
   ['lessThan', 'below'], ['gte', 'least'], ['greaterThanOrEqual', 'least'], ['lte', 'most'],
   ['lessThanOrEqual', 'most'], ['eqls', 'eql'], ['matches', 'match']
  ].forEach(function (p) { VALUE_CHECKS.methods[p[0]] = VALUE_CHECKS.methods[p[1]]; });
  ['includes', 'contain', 'contains'].forEach(function (n) { VALUE_CHECKS.chainable[n] = include; });
  VALUE_CHECKS.deep.equals = VALUE_CHECKS.deep.eq = VALUE_CHECKS.deep.eqls = deepEqual;
  // chai's chaining behaviour of each chainable word: the flag it sets when read.
  var CHAIN_FLAGS = table({ lengthOf: 'doLength', length: 'doLength', include: 'contains', includes: 'contains',
    contain: 'contains', contains: 'contains', a: null, an: null });

  // chai-postman's checks on a response, where they are plain comparisons.
  function reasonAndCode(reason, code) {
    return function (r) {
      var a = String(r.reason()).toUpperCase() === reason, b = r.code === code;
      return a === b ? a : undefined; // both assertions agree, or chai sorts out which fails
    };
  }
  function statusClass(n) { return function (r) { return Math.floor(r.code / 100) === n; }; }
  // chai-postman's `header(name[, value])`, as the collection SDK's HeaderList answers it: names
  // in any case, the last of a repeated header. Not for a name Object.prototype has (the SDK's
  // index is a plain object), nor negated with a value (chai-postman then reads the value of a
  // header it asserted absent).
  function header(fast, args) {
    var name = args[0];
    if (typeof name !== 'string' || args.length > 2 || (args.length === 2 && fast.negate)) return undefined;
    var lower = name.toLowerCase(), list = responseHeaders(), found;
    if (lower === '' || lower in ObjectProto) return undefined;
    for (var i = 0; i < list.length; i++) if (list[i].key.toLowerCase() === lower) found = list[i];
    return found !== undefined && (args.length === 1 || found.value === args[1]);
  }
  // chai-postman's `jsonBody([path[, value]])`: the body parses (the response's own json(), as
  // chai-postman calls it); lodash's `_.has` of a dotted path, answered only when every step is
  // an own property (and the whole path is not itself a key, which lodash would take as one);
  // lodash's `_.isEqual` of primitives. Not negated with a path (chai-postman asserts the path
  // before the value).
  var SIMPLE_PATH = /^[A-Za-z_$][\w$]*(\.[\w$]+)*$/;
  function jsonBody(fast, args) {
    var body;
    if (args.length > 2 || (args.length > 0 && fast.negate)) return undefined;
    try { body = fast.object.json(); } catch (e) { return undefined; }
    if (args.length === 0) return true;
    var path = args[0];
    if (typeof path !== 'string' || !SIMPLE_PATH.test(path) || (body !== null && body !== undefined && path in Object(body))) return undefined;
    var keys = path.split('.'), value = body;
    for (var i = 0; i < keys.length; i++) {
      if (value === null || value === undefined || !hasOwn(value, keys[i])) return undefined;
      value = value[keys[i]];
    }
    if (args.length === 1) return true;
    var expected = args[1];
    if ((typeof value === 'object' && value !== null) || (typeof expected === 'object' && expected !== null)) return undefined;
    return value === expected || (value !== value && expected !== expected);
  }
  var RESPONSE_CHECKS = {
    properties: table({
      ok: reasonAndCode('OK', 200),
      info: statusClass(1),
      success: statusClass(2),
      redirection: statusClass(3),
      clientError: statusClass(4),
      serverError: statusClass(5),
      error: function (r) { var c = Math.floor(r.code / 100); return c === 4 || c === 5; },
      accepted: reasonAndCode('ACCEPTED', 202),
      withoutContent: reasonAndCode('NO CONTENT', 204),
      badRequest: reasonAndCode('BAD REQUEST', 400),
      unauthorized: reasonAndCode('UNAUTHORIZED', 401),
      forbidden: reasonAndCode('FORBIDDEN', 403),
      notFound: reasonAndCode('NOT FOUND', 404),
      rateLimited: reasonAndCode('TOO MANY REQUESTS', 429)
    }),
    methods: table({
      status: function (fast, x) {
        var r = fast.object;
        if (typeof x === 'number') return r.code === x;
        return typeof x === 'string' ? r.reason() === x : undefined;
      },
      statusCode: function (fast, x) { return typeof x === 'number' ? fast.object.code === x : undefined; },
      header: header,
      jsonBody: jsonBody
    }),
    chainable: table({}),
    deep: table({})
  };

  // --- The assertion object ------------------------------------------------------------------
  function realAssertion(fast) {
    if (fast.real === null) {
      var c = chai(), real = c.expect(fast.object, fast.message);
      if (fast.negate) c.util.flag(real, 'negate', true);
      if (fast.isDeep) c.util.flag(real, 'deep', true);
      if (fast.chained !== null) c.util.flag(real, fast.chained, true);
      fast.real = real;
    }
    return fast.real;
  }
  // A passing check leaves the assertion as chai would: a custom message given to it becomes the
  // assertion's (chai's `if (msg) flag(this, 'message', msg)`), `property` moves it on to the
  // property's value. Else chai's word `name` runs on the real assertion: a property's getter
  // ran (and threw) on access; a method runs now.
  function moveOn(fast) {
    fast.object = fast.next;
    fast.moves = false;
    fast.next = undefined;
  }
  function passes(fast, outcome, name, args, text) {
    if (outcome !== undefined && outcome !== fast.negate) {
      if (text) fast.message = text;
      if (fast.moves) moveOn(fast);
      return fast;
    }
    fast.moves = false;
    fast.next = undefined;
    var real = realAssertion(fast), value = real[name];
    return args === null ? value : value.apply(real, args);
  }

  // A fast assertion is a plain object: the words it answers are getters on its prototype (a
  // getter costs a fraction of a proxy trap in QuickJS). Any other word walks on up the
  // prototype chain to a proxy, which hands over to the real chai Assertion.
  var forwarder = new Proxy({}, {
    get: function (target, name, fast) { return Reflect.get(realAssertion(fast), name, fast); },
    set: function (target, name, value, fast) { return Reflect.set(realAssertion(fast), name, value); }
  });
  // Each kind of assertion (of a value, of a response) has a prototype of its own that holds
  // its checks, so that a new assertion sets one field (two with a message): every property
  // QuickJS adds to an object costs.
  function FastAssertion() {}
  FastAssertion.prototype = Object.create(forwarder);
  // The fields' defaults, defined here so that setting them on an assertion stops at the
  // prototype instead of reaching the forwarder. `chained` is the flag the last chainable word
  // read set (a check after it is chai's), `next` the object a passing `property` moves to (when
  // `moves`), `word` chai's chainable word `wordName` read on the real assertion.
  [['checks', null], ['object', undefined], ['message', undefined], ['negate', false], ['isDeep', false],
   ['chained', null], ['moves', false], ['next', undefined], ['real', null], ['word', null], ['wordName', null]
  ].forEach(function (field) {
    defineProperty(FastAssertion.prototype, field[0], { value: field[1], writable: true });
  });
  function kind(checks) {
    var proto = Object.create(FastAssertion.prototype);
    defineProperty(proto, 'checks', { value: checks, writable: true });
    return proto;
  }
  var VALUE_ASSERTION = kind(VALUE_CHECKS), RESPONSE_ASSERTION = kind(RESPONSE_CHECKS);
  function assertion(proto, object, message) {
    var fast = Object.create(proto);
    fast.object = object;
    if (message !== undefined) fast.message = message;
    return fast;
  }
  function define(name, get) {
    defineProperty(FastAssertion.prototype, name, { get: get, enumerable: false, configurable: false });
  }
  // Once handed over, the object forwards every word.
  function forwardWord(fast, name) { return Reflect.get(realAssertion(fast), name, fast); }
  // Whether the assertion still answers checks itself: not handed over, and no chai flag set
  // that a check would have to read.
  function answers(fast) { return fast.real === null && fast.chained === null; }
  LANGUAGE_CHAINS.forEach(function (word) {
    define(word, function () { return this.real === null ? this : forwardWord(this, word); });
  });
  define('not', function () {
    if (this.real !== null) return forwardWord(this, 'not');
    this.negate = !this.negate;
    return this;
  });
  define('deep', function () {
    if (this.real !== null) return forwardWord(this, 'deep');
    this.isDeep = true;
    return this;
  });
  // One function per method name, not a closure per access (QuickJS builds every closure as an
  // object, and `arguments` as one more); `this` is the assertion it is called on. The second
  // argument is chai's custom message, which matters only when chai reports a failure or the
  // chain goes on.
  function fastMethod(name) {
    return function (expected, text) {
      var check = (this.isDeep ? this.checks.deep : this.checks.methods)[name];
      var outcome = check === undefined ? undefined : check(this, expected);
      if (outcome !== undefined && outcome !== this.negate && text === undefined) return this;
      return passes(this, outcome, name, text === undefined ? [expected] : [expected, text], text);
    };
  }
  // `property`, `header` and `jsonBody` count their arguments, as chai and chai-postman do (a
  // value given as `undefined` is a value); a message is `property`'s third.
  function countingMethod(name) {
    return function () {
      var check = this.isDeep ? undefined : this.checks.methods[name];
      var outcome = check === undefined ? undefined : check(this, arguments);
      return passes(this, outcome, name, arguments, name === 'property' ? arguments[2] : undefined);
    };
  }
  function defineCheckProperty(name) {
    define(name, function () {
      var check = answers(this) && !this.isDeep ? this.checks.properties[name] : undefined;
      return check === undefined ? forwardWord(this, name) : passes(this, check(this.object), name, null, undefined);
    });
  }
  function defineMethod(name) {
    var counts = name === 'property' || name === 'header' || name === 'jsonBody';
    var method = counts ? countingMethod(name) : fastMethod(name);
    define(name, function () {
      return this.real === null && this.chained === null && name in (this.isDeep ? this.checks.deep : this.checks.methods) ? method : forwardWord(this, name);
    });
  }
  // Each word once, whichever kinds of assertion answer it.
  var words = Object.create(null);
  [VALUE_CHECKS, RESPONSE_CHECKS].forEach(function (checks) {
    Object.keys(checks.properties).forEach(function (n) { words[n] = defineCheckProperty; });
    Object.keys(checks.methods).concat(Object.keys(checks.deep)).forEach(function (n) { words[n] = defineMethod; });
    Object.keys(checks.chainable).forEach(function (n) { words[n] = defineChainable; });
  });

  // chai's chainable words (`lengthOf`, `include`, `a`, ...): called, they check; followed by a
  // word (`lengthOf.above(2)`, `include.members([...])`), chai sets a flag that word reads. The
  // getter returns a function of its own (one per access: it must know its assertion) that
  // makes the check itself when it passes. Everything else, and every property read on the
  // function, goes to chai's own chainable word on the real assertion, which then sees the same
  // object, message and flags.
  // The function knows its assertion and word by two symbol-keyed fields, set before it gets
  // its prototype (a field added through the proxy, or a defined property, costs several times
  // more in QuickJS).
  var FAST = Symbol('assertion'), WORD = Symbol('word');
  var chainProxy = new Proxy(function () {}, {
    get: function (target, name, check) { return Reflect.get(chaiWord(check[FAST], check[WORD]), name); }
  });
  function defineChainable(name) {
    define(name, function () {
      if (!answers(this) || this.isDeep || !(name in this.checks.chainable)) return forwardWord(this, name);
      return chainableCheck(this, name);
    });
  }
  // chai's chainable word on the real assertion, read once per word: chai's getter sets its flag.
  function chaiWord(fast, name) {
    if (fast.wordName !== name) {
      fast.word = realAssertion(fast)[name];
      fast.wordName = name;
    }
    return fast.word;
  }
  // chai's `include(val, msg)`, `lengthOf(n, msg)` and `an(type, msg)` read no more arguments,
  // and a missing message is an undefined one: the function passes on both (no `arguments`
  // object, which QuickJS would build on every call).
  function chainableCheck(fast, name) {
    var check = function (expected, text) {
      // Called unbound (`var f = ....lengthOf; f(3)`), chai's word fails on its `this`.
      var outcome = this === fast ? fast.checks.chainable[name](fast, expected) : undefined;
      if (outcome !== undefined && outcome !== fast.negate) {
        fast.chained = CHAIN_FLAGS[name];
        if (text) fast.message = text;
        return fast;
      }
      return chaiWord(fast, name).call(this, expected, text);
    };
    check[FAST] = fast;
    check[WORD] = name;
    Object.setPrototypeOf(check, chainProxy);
    return check;
  }

  Object.keys(words).forEach(function (name) { words[name](name); });

  return {
    value: function (object, message) { return assertion(VALUE_ASSERTION, object, message); },
    response: function (object, message) { return assertion(RESPONSE_ASSERTION, object, message); }
  };
})
