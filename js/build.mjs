// Bundles the sandbox libraries, one file per module, into the directory given as the first
// argument. Each output is a script whose completion value is the module's exports, so the
// engine evaluates it only when a user script first asks for that module (see
// src/script/modules.rs). Node built-ins the libraries need come from their npm polyfills.
import { build } from 'esbuild';
import vm from 'node:vm';
import { writeFile, mkdir, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Node 18 (Debian 12's) has no import.meta.dirname.
const here = fileURLToPath(new URL('.', import.meta.url));

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}

// Postman's name for each module -> what the bundle exports.
const modules = {
  chai: "module.exports = require('chai');",
  'chai-postman': "module.exports = require('chai-postman');",
  'postman-collection': "module.exports = require('postman-collection');",
  // The SDK's two largest dependencies, bundled apart and loaded when first used (lazy/).
  faker: "module.exports = require('@faker-js/faker/locale/en');",
  'iconv-lite': "module.exports = require('iconv-lite');",
  lodash: "module.exports = require('lodash');",
  // The legacy global `_` is lodash 3, as in Postman's sandbox.
  lodash3: "module.exports = require('lodash3').noConflict();",
  'crypto-js': "module.exports = require('crypto-js');",
  moment: "module.exports = require('moment');",
  uuid: "module.exports = require('uuid');",
  ajv: "module.exports = require('ajv');",
  tv4: "module.exports = require('tv4');",
  xml2js: "module.exports = require('xml2js');",
  buffer: "module.exports = require('buffer');",
  // Postman's atob and btoa are these packages' Node builds (over the buffer polyfill).
  atob: "module.exports = require('atob/node-atob.js');",
  btoa: "module.exports = require('btoa');",
  // Sugar.js 1.3.9, whose native-prototype extensions Postman's sandbox still loads; it exports
  // nothing (the prelude loads it when a script first reaches for one of them).
  sugar: "require('sugar');",
  // The cookie jar Postman's runtime uses.
  'tough-cookie': "module.exports = require('@postman/tough-cookie');",
  // Not for scripts: what Newman converts a v1 collection with (src/collection/shape.rs).
  'postman-collection-transformer': "module.exports = require('postman-collection-transformer');",
};

await mkdir(outdir, { recursive: true });
// Bundles that use Node's `process` or `Buffer` globals get the polyfills injected; the rest
// stay small.
const needsNodeGlobals = new Set(['postman-collection', 'xml2js', 'iconv-lite', 'atob', 'btoa']);
// Modules a bundle gets through a stand-in that loads their own bundle on first use.
const lazy = {
  'postman-collection': {
    '@faker-js/faker/locale/en': join(here, 'lazy', 'faker.js'),
    'iconv-lite': join(here, 'lazy', 'iconv-lite.js'),
  },
};

for (const [name, entry] of Object.entries(modules)) {
  const result = await build({
    stdin: { contents: entry, resolveDir: here, loader: 'js' },
    absWorkingDir: here, // aliases resolve from here, whatever the caller's directory
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    globalName: '__vayu_module',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    alias: { stream: 'stream-browserify', timers: 'timers-browserify', ...lazy[name] },
    define: { global: 'globalThis' },
    inject: needsNodeGlobals.has(name) ? [join(here, 'node-globals.js')] : [],
    logLevel: 'warning',
  });
  // The bundle declares `var __vayu_module`; wrapped so the script's value is the exports.
  const code = '(function () {' + result.outputFiles[0].text + '\nreturn __vayu_module; })()';
  await writeFile(join(outdir, name + '.js'), code);
}

// What Sugar.js adds to the built-ins, found by running it in a fresh context: the prelude puts
// a stand-in under each of these names that loads Sugar when first touched, so a script that
// uses none of them never pays for it. The natives Sugar wraps or replaces are named in the
// prelude, which wraps them itself; this checks that they are still the ones this Sugar changes.
const SUGAR_CLASSES = ['Object', 'Array', 'String', 'Number', 'Date', 'Function', 'RegExp', 'Boolean'];
const SUGAR_CHANGES = ['Object.keys', 'Array.prototype.filter', 'Array.prototype.map', 'Array.prototype.every',
  'Array.prototype.some', 'String.prototype.endsWith', 'String.prototype.startsWith', 'String.prototype.trim',
  'String.prototype.trimLeft', 'String.prototype.trimRight'];
{
  const context = vm.createContext({});
  const snapshot = () => vm.runInContext(`(function (classes) {
    var out = {};
    classes.forEach(function (c) {
      [[c, globalThis[c]], [c + '.prototype', globalThis[c].prototype]].forEach(function (pair) {
        var own = {};
        Object.getOwnPropertyNames(pair[1]).forEach(function (n) { own[n] = Object.getOwnPropertyDescriptor(pair[1], n).value; });
        out[pair[0]] = own;
      });
    });
    return out;
  })(${JSON.stringify(SUGAR_CLASSES)})`, context);
  const before = snapshot();
  vm.runInContext(await readFile(join(here, 'node_modules', 'sugar', 'release', 'sugar-full.development.js'), 'utf8'), context);
  const after = snapshot();
  const added = {}, changed = [];
  for (const target of Object.keys(after)) {
    added[target] = [];
    for (const name of Object.keys(after[target])) {
      if (!(name in before[target])) added[target].push(name);
      // (NaN is never itself.)
      else if (before[target][name] !== after[target][name] && name !== 'NaN') changed.push(target + '.' + name);
    }
  }
  if (changed.sort().join() !== [...SUGAR_CHANGES].sort().join()) {
    throw new Error('Sugar changes other natives than the prelude wraps: ' + changed.join(', '));
  }
  await writeFile(join(outdir, 'sugar-names.js'), '(' + JSON.stringify(added) + ')');
}

// The HTML report's chart library, as uPlot ships it, inlined into every report (src/ui/).
await mkdir(join(outdir, 'ui'), { recursive: true });
for (const file of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  await copyFile(join(here, 'node_modules', 'uplot', 'dist', file), join(outdir, 'ui', file));
}

// The Manager's code editor (CodeMirror 6 and our glue, ui-editor.js), one script for /ui/.
await build({
  entryPoints: [join(here, 'ui-editor.js')],
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'none',
  outfile: join(outdir, 'ui', 'editor.js'),
  logLevel: 'warning',
});

// The Manager's views' framework (Preact and htm, re-exported by ui-components.js), one ES
// module the page's modules import as ./components.js.
await build({
  entryPoints: [join(here, 'ui-components.js')],
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'none',
  outfile: join(outdir, 'ui', 'components.js'),
  logLevel: 'warning',
});
