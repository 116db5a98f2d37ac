/**
 * Checks a snapshot in a worker thread, while the main thread indexes its lines without parsing them
 * (snapshot-file.ts). A file that still has the digest its header names is as the store wrote it, and
 * that is enough. Otherwise (edited, damaged, or written before the digest) every record line must be
 * JSON of the shape the store writes (recordProblem), and where fieldSpans found its index fields, they
 * must be the parsed record's. A damaged store still stops the start with its line, as when every line
 * was parsed on the main thread.
 *
 * The worker runs from source text made of these functions (they name nothing outside themselves but
 * each other): a worker file would have to exist both as TypeScript, for tsx and the test runner, and as
 * built JavaScript.
 */
import { Worker } from 'node:worker_threads';
import { fieldSpans } from './line-fields.ts';
import { isObject, recordProblem, REQUIRED_TEXT } from './record-shape.ts';
import type { CollectionName } from './records.ts';

export type SnapshotCheck =
  /** By its digest (the file is as the store wrote it) or by checking every line. */
  | { kind: 'ok'; by: 'digest' | 'lines' }
  | { kind: 'syntax'; line: number; message: string }
  | { kind: 'shape'; line: number; message: string }
  /** fieldSpans read a field of this line other than the parser did: index by parsing instead. */
  | { kind: 'misread'; line: number };

export interface CheckInput {
  file: string;
  /** Per collection, the fields the main thread read from each line, and their markers (fieldMarkers). */
  fields: Record<CollectionName, { names: readonly string[]; markers: readonly string[] }>;
}

interface FileSystem {
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
}

interface Hashing {
  createHash(algorithm: 'sha256'): { update(data: Buffer): unknown; digest(encoding: 'hex'): string };
}

/**
 * Whether the file's header names the SHA-256 of the bytes after its line (writeSnapshot) and they
 * still have it: then the file is as the store wrote it, from records it had checked. Hashing 170 MB
 * takes about a tenth of a second; checking its lines, a second and a half.
 */
function digestMatches(file: string, fs: FileSystem, crypto: Hashing): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    let read = fs.readSync(fd, buffer, 0, buffer.length, null);
    const headerEnd = buffer.subarray(0, read).indexOf(10);
    if (headerEnd < 0) return false;
    let expected: unknown;
    try {
      const header = buffer.toString('utf8', 0, headerEnd).replace(/\r$/, '');
      expected = (JSON.parse(`${header.slice(0, -1)}}`) as { sha256?: unknown }).sha256;
    } catch {
      return false;
    }
    if (typeof expected !== 'string') return false;
    const hash = crypto.createHash('sha256');
    hash.update(buffer.subarray(headerEnd + 1, read));
    while ((read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, read));
    return hash.digest('hex') === expected;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The worker's work: reads the file line by line, stopping at the first line that fails. The functions
 * it calls come in as arguments: a test runner rewrites the names of imported ones in the source.
 */
function checkLines(
  input: CheckInput,
  fs: FileSystem,
  problemOf: typeof recordProblem,
  spansOf: typeof fieldSpans,
): SnapshotCheck {
  const fd = fs.openSync(input.file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(4 << 20);
    let held = 0;
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
      const read = fs.readSync(fd, buffer, held, buffer.length - held, null);
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
  } finally {
    fs.closeSync(fd);
  }
}

const workerSource = (): string =>
  [
    // tsx keeps function names with a helper that the copied source may call.
    'const __name = (target) => target;',
    `const REQUIRED_TEXT = ${JSON.stringify(REQUIRED_TEXT)};`,
    `const isObject = ${String(isObject)};`,
    `${String(recordProblem)}`,
    `${String(fieldSpans)}`,
    `const checkLines = ${String(checkLines)};`,
    `const digestMatches = ${String(digestMatches)};`,
    "const { parentPort, workerData } = require('node:worker_threads');",
    "const fs = require('node:fs');",
    'parentPort.postMessage(',
    "  digestMatches(workerData.file, fs, require('node:crypto'))",
    "    ? { kind: 'ok', by: 'digest' }",
    '    : checkLines(workerData, fs, recordProblem, fieldSpans),',
    ');',
  ].join('\n');

/**
 * Starts the check (the digest, else every line); its promise settles with the verdict (a worker that
 * fails rejects it).
 */
export function checkSnapshot(input: CheckInput): { verdict: Promise<SnapshotCheck>; stop(): void } {
  const worker = new Worker(workerSource(), { eval: true, workerData: input });
  const verdict = new Promise<SnapshotCheck>((resolve, reject) => {
    worker.once('message', (check: SnapshotCheck) => resolve(check));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the snapshot check stopped (exit code ${code})`)));
  });
  // Settled by whoever waits; a start that fails before waiting must not leave an unhandled rejection.
  verdict.catch(() => undefined);
  return { verdict, stop: () => void worker.terminate() };
}
