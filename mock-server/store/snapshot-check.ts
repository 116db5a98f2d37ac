/**
 * The check of a snapshot whose lines were indexed without parsing them (snapshot-file.ts). A file that
 * still has the digest its header names is as the store wrote it, and that is enough: the worker that
 * scans the file hashes it as it goes (snapshot-scan-worker.ts). Otherwise (edited, damaged, or written
 * before the digest) that worker then reads the file again with checkLines: every record line must be
 * JSON of the shape the store writes (recordProblem), and where fieldSpans found its index fields, they
 * must be the parsed record's. A damaged store still stops the start with its line, as when every line
 * was parsed on the main thread.
 *
 * checkLines names nothing outside itself: the worker runs its source.
 */
import type { fieldSpans } from './line-fields.ts';
import type { recordProblem } from './record-shape.ts';
import { fieldMarkers } from './line-fields.ts';
import { COLLECTIONS, type CollectionName } from './records.ts';

export type SnapshotCheck =
  /** By its digest (the file is as the store wrote it) or by checking every line. */
  | { kind: 'ok'; by: 'digest' | 'lines' }
  | { kind: 'syntax'; line: number; message: string }
  | { kind: 'shape'; line: number; message: string }
  /** fieldSpans read a field of this line other than the parser did: index by parsing instead. */
  | { kind: 'misread'; line: number };

export interface CheckInput {
  /**
   * The snapshot, open: read at given positions only (its offset is shared with every thread), and
   * closed by its owner, not here.
   */
  fd: number;
  /** Per collection, the fields the main thread read from each line, and their markers (fieldMarkers). */
  fields: Record<CollectionName, { names: readonly string[]; markers: readonly string[] }>;
}

/** The fields a line of each collection is indexed by (a state's lineFields), with their markers. */
export function lineFieldsByCollection(
  fieldsOf: (collection: CollectionName) => readonly string[],
): CheckInput['fields'] {
  return Object.fromEntries(
    COLLECTIONS.map((name) => {
      const names = fieldsOf(name);
      return [name, { names, markers: fieldMarkers(names) }];
    }),
  ) as unknown as CheckInput['fields'];
}

export interface FileSystem {
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
}

/**
 * Reads the file line by line, stopping at the first line that fails. The functions it calls come in
 * as arguments: a test runner rewrites the names of imported ones in the source.
 */
export function checkLines(
  input: CheckInput,
  fs: FileSystem,
  problemOf: typeof recordProblem,
  spansOf: typeof fieldSpans,
): SnapshotCheck {
  const { fd } = input;
  let buffer = Buffer.allocUnsafe(4 << 20);
  let held = 0;
  // Where in the file the next read starts.
  let position = 0;
  let lineNumber = 0;
  let collection: CollectionName | null = null;
  const checkLine = (text: string): SnapshotCheck | null => {
    lineNumber += 1;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (lineNumber === 1 || line === '') return null;
    const opening = /^"(\w+)":\[$/.exec(line);
    if (opening !== null) {
      collection = opening[1] as CollectionName;
      return null;
    }
    if (line === '],' || line === ']}' || collection === null) {
      collection = null;
      return null;
    }
    const json = line.endsWith(',') ? line.slice(0, -1) : line;
    // Any JSON: recordProblem says whether it is an object with the fields read below.
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      return { kind: 'syntax', line: lineNumber, message: (error as Error).message };
    }
    const problem = problemOf(collection, record);
    if (problem !== null) return { kind: 'shape', line: lineNumber, message: problem };
    const { names, markers } = input.fields[collection];
    const spans = spansOf(json, markers);
    if (spans === null) return null;
    for (let i = 0; i < names.length; i++) {
      if (json.slice(spans[2 * i], spans[2 * i + 1]) !== record[names[i]!])
        return { kind: 'misread', line: lineNumber };
    }
    return null;
  };
  for (;;) {
    if (held === buffer.length) {
      // A line longer than the buffer: a larger one.
      const larger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(larger, 0, 0, held);
      buffer = larger;
    }
    const read = fs.readSync(fd, buffer, held, buffer.length - held, position);
    position += read;
    const end = held + read;
    let start = 0;
    for (let newline = buffer.indexOf(10, 0); newline >= 0 && newline < end; newline = buffer.indexOf(10, start)) {
      const found = checkLine(buffer.toString('utf8', start, newline));
      if (found !== null) return found;
      start = newline + 1;
    }
    if (read === 0) {
      if (start < end) {
        const found = checkLine(buffer.toString('utf8', start, end));
        if (found !== null) return found;
      }
      return { kind: 'ok', by: 'lines' };
    }
    buffer.copy(buffer, 0, start, end);
    held = end - start;
  }
}
