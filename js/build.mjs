// Bundles the sandbox libraries, one file per module, into the directory given as the first
// argument. Each output is a script whose completion value is the module's exports, so the
// engine evaluates it only when a user script first asks for that module (see
// src/script/modules.rs). Node built-ins the libraries need come from their npm polyfills.
import { build } from 'esbuild';
import { writeFile, mkdir, copyFile } from 'node:fs/promises';
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
  abab: "module.exports = require('abab');",
  // The cookie jar Postman's runtime uses.
  'tough-cookie': "module.exports = require('@postman/tough-cookie');",
  // Not for scripts: what Newman converts a v1 collection with (src/collection/shape.rs).
  'postman-collection-transformer': "module.exports = require('postman-collection-transformer');",
};

await mkdir(outdir, { recursive: true });
// Bundles that use Node's `process` or `Buffer` globals get the polyfills injected; the rest
// stay small.
const needsNodeGlobals = new Set(['postman-collection', 'xml2js', 'iconv-lite']);
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

// The HTML report's chart library, as uPlot ships it, inlined into every report (src/ui/).
await mkdir(join(outdir, 'ui'), { recursive: true });
for (const file of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  await copyFile(join(here, 'node_modules', 'uplot', 'dist', file), join(outdir, 'ui', file));
}
