// The Node globals some sandbox libraries use, from their npm polyfills (injected by build.mjs).
export var process = require('process/browser.js');
export var Buffer = require('buffer').Buffer;
