// Keys for rows the page edits in place (the request model's plain objects have no ids), so a
// list drawn with components keeps each row's elements, and the focus, across redraws.
const keys = new WeakMap();
let next = 0;

// `row`'s key (made on first ask, or set to `given`); with no row, a fresh key for a row to be.
export function rowKey(row, given) {
  if (!row) return 'row' + next++;
  if (given !== undefined) keys.set(row, given);
  if (!keys.has(row)) keys.set(row, 'row' + next++);
  return keys.get(row);
}
