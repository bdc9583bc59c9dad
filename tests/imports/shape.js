// The comparable shape of a Postman collection: per request, folder / name, method, path with
// :variables, query keys, header keys, body mode and body keys (top level).
const d = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const out = [];
const path = (u) => typeof u === 'string' ? u : '/' + (u.path || []).join('/');
const walk = (items, folder) => { for (const i of items) {
  if (i.item) { walk(i.item, folder ? folder + ' / ' + i.name : i.name); continue; }
  const r = i.request; const b = r.body || {};
  let bodyKeys = '';
  if (b.mode === 'raw') { try { const j = JSON.parse(b.raw); bodyKeys = Array.isArray(j) ? '[array]' : (j && typeof j === 'object' ? Object.keys(j).sort().join(',') : typeof j); } catch (e) { bodyKeys = 'text'; } }
  if (b.mode === 'urlencoded' || b.mode === 'formdata') bodyKeys = (b[b.mode] || []).map(f => f.key).sort().join(',');
  out.push([folder, i.name, r.method, path(r.url),
    'q=' + ((r.url && r.url.query) || []).map(q => q.key).join(','),
    'h=' + (r.header || []).map(h => h.key.toLowerCase()).sort().join(','),
    'body=' + (b.mode || '') + ':' + bodyKeys].join(' | '));
} };
walk(d.item, '');
console.log(out.join('\n'));
