/**
 * Finding a record's index fields in its JSON line without parsing it, for a start on a large store.
 * It reads only what the store itself writes (JSON.stringify: no spaces, the id first) and answers null
 * for anything else, which the caller then parses. The worker that reads a large snapshot runs it over
 * each record line (line-scan.ts); for a file that is not as the store wrote it (its digest differs),
 * the snapshot check (snapshot-check.ts) then runs it again over each line alone and compares what it
 * found with the parsed record, so a line it misreads (a hand-edited one) cannot go unnoticed.
 */

/** The text each field is found after: `{"id":"` at the start for the id, `,"name":"` for the others. */
export function fieldMarkers(fields: readonly string[]): string[] {
  return fields.map((field, i) => (i === 0 ? `{"${field}":"` : `,"${field}":"`));
}

/**
 * Where each field's value is in the line text[from, to), as [start, end) pairs of positions in `text`
 * (end at its closing quote), or null when a value cannot be read as it stands: the line does not start
 * with the first marker, a marker is missing or appears twice (a nested object with the same key), or the
 * value has an escape.
 *
 * `text` may hold many lines (a whole chunk of the file, so that no string is made per line). Then `next`
 * carries between the calls for its lines, made in order: where each marker, and after them a backslash,
 * was next found. A marker is then searched for once over the text, not once per line, and a line without
 * it costs nothing. Self-contained (no outer names): the snapshot check sends its source to a worker.
 */
export function fieldSpans(
  text: string,
  markers: readonly string[],
  from = 0,
  to = text.length,
  next: number[] = [],
): number[] | null {
  // The first place at or after `at` where `needle` is (-1: none), from `next[slot]` when it still
  // answers: a place found by an earlier search that started at or before `at`.
  const find = (slot: number, needle: string, at: number): number => {
    const known = next[slot];
    if (known !== undefined && (known < 0 || known >= at)) return known;
    const found = text.indexOf(needle, at);
    next[slot] = found;
    return found;
  };
  const spans: number[] = [];
  // Most lines have no escape at all: one search for the line, then one per value only when it has.
  const escapeAt = find(markers.length, '\\', from);
  const anyEscape = escapeAt >= 0 && escapeAt < to;
  for (let i = 0; i < markers.length; i++) {
    const marker = markers[i]!;
    let start: number;
    if (i === 0) {
      if (!text.startsWith(marker, from)) return null;
      start = from + marker.length;
    } else {
      const at = find(i, marker, from);
      if (at < 0 || at >= to) return null;
      start = at + marker.length;
      const again = find(i, marker, start);
      if (again >= 0 && again < to) return null;
    }
    const end = text.indexOf('"', start);
    if (end < 0 || end >= to) return null;
    if (anyEscape) {
      const escape = text.indexOf('\\', start);
      if (escape >= 0 && escape < end) return null;
    }
    spans.push(start, end);
  }
  return spans;
}
