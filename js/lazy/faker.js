// Stands in for faker inside the collection SDK's bundle: the SDK needs faker only to resolve
// dynamic variables ({{$randomInt}}, ...), so the real one (its own bundle) loads on first use.
module.exports = new Proxy({}, {
  get: function (target, name) { return globalThis.__vayu_lib('faker')[name]; }
});
