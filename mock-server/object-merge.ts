/**
 * `{ ...base, ...fields }`, written so that V8 shares the copies' hidden classes.
 *
 * On Node 20 (V8 11.3) an object literal that opens with the spread of a non-empty object and then goes
 * on (`{ ...call, endTime }`, `{ ...a, ...b }`) gets a hidden class of its own every time it runs, and so
 * does a copy made by `{ ...x }` that later gains a property: building one took 0.6–0.9 µs instead of
 * 30–50 ns, each copy kept its own map and descriptor array (about 1 KB for a call record), and every
 * read of such objects became megamorphic. Object.assign onto a fresh object walks the shared
 * transitions. The lint forbids the slow literal in mock-server/ (eslint.config.js); see CONTRIBUTING.md.
 */
export function merged<A extends object, B extends object>(base: A, fields: B): Omit<A, keyof B> & B {
  return Object.assign({}, base, fields);
}

/** A copy of a record with some of its fields changed (as `{ ...record, ...changes }`, see `merged`). */
export function changed<T extends object>(record: T, changes: Partial<T>): T {
  return Object.assign({}, record, changes);
}
