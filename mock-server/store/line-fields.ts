/**
 * Finding a record's index fields in its JSON line without parsing it, for a start on a large store.
 * It reads only what the store itself writes (JSON.stringify: no spaces, the id first) and answers null
 * for anything else, which the caller then parses. The snapshot check (snapshot-check.ts) runs the same
 * function in a worker over every line and compares what it found with the parsed record, so a line
 * it misreads (a hand-edited one) cannot go unnoticed.
 */

/** The text each field is found after: `{"id":"` at the start for the id, `,"name":"` for the others. */
export function fieldMarkers(fields: readonly string[]): string[] {
  return fields.map((field, i) => (i === 0 ? `{"${field}":"` : `,"${field}":"`));
}

/**
 * Where each field's value is in the line, as [start, end) pairs (end at its closing quote), or null
 * when a value cannot be read as it stands: the line does not start with the first marker, a marker is
 * missing or appears twice (a nested object with the same key), or the value has an escape.
 * Self-contained (no outer names): the snapshot check sends its source to a worker.
 */
export function fieldSpans(line: string, markers: readonly string[]): number[] | null {
  const spans: number[] = [];
  // Most lines have no escape at all: one scan for the line, then one per value only when it has.
  const anyEscape = line.includes('\\');
  for (let i = 0; i < markers.length; i++) {
    const marker = markers[i]!;
    let start: number;
    if (i === 0) {
      if (!line.startsWith(marker)) return null;
      start = marker.length;
    } else {
      const at = line.indexOf(marker);
      if (at < 0 || line.includes(marker, at + marker.length)) return null;
      start = at + marker.length;
    }
    const end = line.indexOf('"', start);
    if (end < 0) return null;
    if (anyEscape) {
      const escape = line.indexOf('\\', start);
      if (escape >= 0 && escape < end) return null;
    }
    spans.push(start, end);
  }
  return spans;
}
