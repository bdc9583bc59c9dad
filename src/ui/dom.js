// The page-building helpers the report pages and the dashboard share (a global, since the
// pages load plain scripts).
window.vayuDom = (function () {
  'use strict';
  // An element with attributes (`onclick` and the like become listeners) and children.
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : String(c));
    return e;
  };
  const table = (head, rows) =>
    el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((c) => el('td', {}, c))))));
  const ms = (us) => (us / 1000).toFixed(3) + ' ms';
  const num = (n) => Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });
  return { el, table, ms, num };
})();
