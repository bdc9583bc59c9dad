// The Manager's component framework, one ES module for /ui/ (served as components.js): Preact
// for the views and htm for their templates, so the page's modules need no JSX transform and
// the strict CSP (no inline scripts, no import maps) still holds. Views import from here only.
import { h, render, Fragment, createRef } from 'preact';
import { useState, useEffect, useRef, useMemo, useCallback, useReducer } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { h, render, Fragment, createRef, useState, useEffect, useRef, useMemo, useCallback, useReducer };

// A view for a parent not yet built with components: `host` is an element made here (its tag
// and attributes as the page had them, so selectors and styles still match) whose children
// the component `vnode` draws. The parent appends the host like any element.
export function mount(tag, attrs, vnode) {
  const host = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) host.setAttribute(k, v);
  render(vnode, host);
  return host;
}
