/**
 * Splitting a chunk of a snapshot into lines and finding the index fields of each record line in its
 * text (line-fields.ts), in the worker that reads the file (snapshot-scan-worker.ts). The main thread
 * then only makes the values into strings and indexes them: on 100,000 calls the splitting and the
 * searching were about half of its part of the start, and here they run beside it on the other core.
 *
 * Self-contained (it names only ROW and the functions it is given): the worker runs its source.
 */
import type { fieldSpans } from './line-fields.ts';

/**
 * Where things are in a line's row of the table scanLines fills. A row is `stride` numbers: the line's
 * start and end in the chunk (without its newline, or a \r before it), the collection whose fields were
 * found in it (its place in the scan's collections; -1 for none: the line must be parsed), a bit per
 * field whose value is the same text as in the last line found in that collection (its string can be
 * reused), then each field's value as a start and an end in the chunk.
 */
export const ROW = { start: 0, end: 1, collection: 2, same: 3, spans: 4 } as const;

/** What carries from one chunk of a file to the next while its lines are scanned in order. */
export interface LineScan {
  /** Per collection, in the order the scan names them by: its name and its fields' markers (fieldMarkers). */
  readonly collections: ReadonlyArray<{ readonly name: string; readonly markers: readonly string[] }>;
  /** The numbers in a row: ROW.spans and two per field of the collection with the most. */
  readonly stride: number;
  /** Lines scanned so far: the first is the header. */
  lineNumber: number;
  /** The collection whose records the lines are (its place in `collections`; -1 outside one). */
  collection: number;
  /** Per collection, the values found in the last line it was found in. */
  readonly previous: string[][];
}

export function newLineScan(collections: LineScan['collections']): LineScan {
  return {
    collections,
    stride: 4 + 2 * Math.max(0, ...collections.map((collection) => collection.markers.length)),
    lineNumber: 0,
    collection: -1,
    previous: collections.map(() => []),
  };
}

/**
 * Fills a table with a row (ROW) per line of bytes[0, length), which holds whole lines (the last may
 * lack its newline), and returns it with the number of lines. Fields are looked for only in a chunk of
 * ASCII bytes (`ascii`), in record lines: lines inside a collection's brackets, the way writeSnapshot
 * writes them. `table` is reused when large enough.
 */
export function scanLines(
  bytes: Buffer,
  length: number,
  ascii: boolean,
  scan: LineScan,
  spansOf: typeof fieldSpans,
  table: Int32Array,
): { table: Int32Array; lines: number } {
  // One string for the lines of 64 kB of the chunk: a string per line cost a tenth of the start, and one
  // per 4 MB chunk more (each took fresh memory, outside the young generation's pages).
  const WINDOW_BYTES = 64 * 1024;
  const { stride } = scan;
  let lines = 0;
  let windowStart = 0;
  let windowEnd = 0;
  let text = '';
  // Per collection, where fieldSpans last found each of its markers in the window's text.
  let next: number[][] = [];
  for (let start = 0; start < length;) {
    let newline = bytes.indexOf(10, start);
    if (newline < 0 || newline >= length) newline = length;
    const end = newline > start && bytes[newline - 1] === 13 ? newline - 1 : newline;
    if ((lines + 1) * stride > table.length) {
      const larger = new Int32Array(Math.max(table.length * 2, stride * 1024));
      larger.set(table);
      table = larger;
    }
    const row = lines * stride;
    table[row + ROW.start] = start;
    table[row + ROW.end] = end;
    table[row + ROW.collection] = -1;
    table[row + ROW.same] = 0;
    lines += 1;
    scan.lineNumber += 1;
    const first = bytes[start];
    if (scan.lineNumber === 1) {
      // The header.
    } else if (first === 34) {
      // A collection's opening, `"calls":[`.
      const name = /^"(\w+)":\[$/.exec(bytes.toString('latin1', start, end))?.[1];
      scan.collection = scan.collections.findIndex((collection) => collection.name === name);
    } else if (first === 93) {
      // Its closing, `],` or `]}`.
      scan.collection = -1;
    } else if (ascii && scan.collection >= 0 && end > start) {
      // Records are separated by a comma at the end of each line but the last.
      const recordEnd = bytes[end - 1] === 44 ? end - 1 : end;
      if (start < windowStart || recordEnd > windowEnd || text === '') {
        windowStart = start;
        windowEnd = Math.min(length, Math.max(recordEnd, start + WINDOW_BYTES));
        text = bytes.toString('latin1', windowStart, windowEnd);
        next = [];
      }
      const c = scan.collection;
      const spans = spansOf(
        text,
        scan.collections[c]!.markers,
        start - windowStart,
        recordEnd - windowStart,
        (next[c] ??= []),
      );
      if (spans !== null) {
        const previous = scan.previous[c]!;
        let same = 0;
        for (let i = 0; i * 2 < spans.length; i++) {
          const valueStart = spans[2 * i]!;
          const valueEnd = spans[2 * i + 1]!;
          const last = previous[i];
          // A field that holds what it held in the line before (the tenant, mostly) reuses that string.
          if (last !== undefined && last.length === valueEnd - valueStart && text.startsWith(last, valueStart)) {
            same |= 1 << i;
          } else {
            previous[i] = text.slice(valueStart, valueEnd);
          }
          table[row + ROW.spans + 2 * i] = windowStart + valueStart;
          table[row + ROW.spans + 2 * i + 1] = windowStart + valueEnd;
        }
        table[row + ROW.collection] = c;
        table[row + ROW.same] = same;
      }
    }
    start = newline + 1;
  }
  return { table, lines };
}
