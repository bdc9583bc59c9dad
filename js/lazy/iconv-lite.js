// Stands in for iconv-lite inside the collection SDK's bundle: the SDK decodes with it only
// response streams in other charsets, so the real one (its own bundle) loads on first use.
module.exports = new Proxy({}, {
  get: function (target, name) { return globalThis.__vayu_lib('iconv-lite')[name]; }
});
