/**
 * The worker thread that reads a large snapshot for the main thread: it reads the file in chunks of
 * whole lines, finds each record line's index fields (line-scan.ts), hashes the bytes for the digest
 * check, and hands each chunk over with its table of lines. The main thread only makes the values into
 * strings and indexes them (snapshot-file.ts), then gives the chunk's memory back to be read into again:
 * fresh memory for every chunk cost more than the rest of the reading. Once the last chunk is out, the
 * worker sends its verdict on the file: the digest, else every line checked (snapshot-check.ts).
 *
 * The worker runs from source text made of these functions (each names nothing outside itself): a
 * worker file would have to exist both as TypeScript, for tsx and the test runner, and as built
 * JavaScript.
 */
import { Worker } from 'node:worker_threads';
import { fieldSpans } from './line-fields.ts';
import { newLineScan, ROW, scanLines } from './line-scan.ts';
import { isObject, recordProblem, REQUIRED_TEXT } from './record-shape.ts';
import { checkLines, type CheckInput, type FileSystem, type SnapshotCheck } from './snapshot-check.ts';

/**
 * The size from which a store reads a snapshot this way, holding its records as their lines; below it,
 * every line is parsed on the main thread (a worker costs more than parsing a small file).
 */
export const SCAN_FROM_BYTES = 16 * 2 ** 20;

/** A chunk of the file, whole lines, with a row per line (ROW). Its memory goes back with giveBack. */
export interface ScannedChunk {
  bytes: Buffer;
  /** Where bytes[0] is in the file. */
  at: number;
  /** Whether every byte is ASCII: fields are found only in such chunks. */
  ascii: boolean;
  table: Int32Array;
  lines: number;
  /** The numbers in a row. */
  stride: number;
}

type FromWorker =
  | {
      kind: 'chunk';
      buffer: ArrayBuffer;
      length: number;
      at: number;
      ascii: boolean;
      table: Int32Array;
      lines: number;
      stride: number;
    }
  | { kind: 'end' }
  | { kind: 'verdict'; check: SnapshotCheck };

/** A chunk's memory, back from the main thread. */
interface ToWorker {
  buffer: ArrayBuffer;
  table: Int32Array;
}

interface Port {
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
}

/** What the worker's work is given (the functions, because a test runner rewrites imported names). */
interface WorkerTools {
  fs: FileSystem;
  port: Port;
  createHash(algorithm: 'sha256'): { update(data: Buffer): unknown; digest(encoding: 'hex'): string };
  isAscii(bytes: Buffer): boolean;
  newLineScan: typeof newLineScan;
  scanLines: typeof scanLines;
  spansOf: typeof fieldSpans;
  checkLines: typeof checkLines;
  problemOf: typeof recordProblem;
}

/** The worker's work. */
async function scanFile(input: CheckInput, use: WorkerTools): Promise<void> {
  const CHUNK_BYTES = 4 << 20;
  // Three: one being read into, one being indexed, one on its way between.
  const MOST_CHUNKS = 3;
  const free: Buffer[] = [];
  const tables: Int32Array[] = [];
  let made = 0;
  let wake: (() => void) | null = null;
  use.port.on('message', (back) => {
    free.push(Buffer.from(back.buffer));
    tables.push(back.table);
    wake?.();
    wake = null;
  });
  const take = async (least: number): Promise<Buffer> => {
    if (free.length === 0 && made < MOST_CHUNKS) {
      made += 1;
      return Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, least));
    }
    while (free.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const buffer = free.pop()!;
    // Too small for the start of a line longer than a chunk: a larger one, in its place.
    return buffer.length >= least ? buffer : Buffer.allocUnsafeSlow(least);
  };
  const scan = use.newLineScan(Object.entries(input.fields).map(([name, { markers }]) => ({ name, markers })));
  const digest = use.createHash('sha256');
  let expected: unknown;
  let sent = 0;
  const send = (buffer: Buffer, length: number, at: number) => {
    const bytes = buffer.subarray(0, length);
    if (sent === 0) {
      // The digest is of the bytes after the header's line, and the header names it.
      const headerEnd = bytes.indexOf(10);
      try {
        const header = bytes.toString('utf8', 0, headerEnd < 0 ? length : headerEnd).replace(/\r$/, '');
        expected = (JSON.parse(`${header.slice(0, -1)}}`) as { sha256?: unknown }).sha256;
      } catch {
        expected = undefined;
      }
      if (headerEnd >= 0) digest.update(bytes.subarray(headerEnd + 1));
    } else {
      digest.update(bytes);
    }
    sent += 1;
    const ascii = use.isAscii(bytes);
    const { table, lines } = use.scanLines(buffer, length, ascii, scan, use.spansOf, tables.pop() ?? new Int32Array(0));
    const { stride } = scan;
    // Each buffer is one of its own (allocUnsafeSlow), not a slice of a shared one: it can be handed over.
    const memory = buffer.buffer as ArrayBuffer;
    const chunk = { kind: 'chunk' as const, buffer: memory, length, at, ascii, table, lines, stride };
    use.port.postMessage(chunk, [memory, table.buffer as ArrayBuffer]);
  };
  let buffer = await take(0);
  // Bytes at the start of `buffer` (a line the last chunk cut), and where buffer[0] is in the file.
  let held = 0;
  let at = 0;
  for (;;) {
    if (held === buffer.length) {
      // A line longer than the buffer: a larger one.
      const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
      buffer.copy(larger, 0, 0, held);
      free.push(buffer);
      buffer = larger;
    }
    const read = use.fs.readSync(input.fd, buffer, held, buffer.length - held, at + held);
    const end = held + read;
    if (read === 0) {
      if (end > 0) send(buffer, end, at);
      break;
    }
    const cut = buffer.lastIndexOf(10, end - 1) + 1;
    if (cut === 0) {
      held = end;
      continue;
    }
    const next = await take(end - cut);
    buffer.copy(next, 0, cut, end);
    send(buffer, cut, at);
    at += cut;
    held = end - cut;
    buffer = next;
  }
  use.port.postMessage({ kind: 'end' });
  const check: SnapshotCheck =
    typeof expected === 'string' && digest.digest('hex') === expected
      ? { kind: 'ok', by: 'digest' }
      : use.checkLines(input, use.fs, use.problemOf, use.spansOf);
  use.port.postMessage({ kind: 'verdict', check });
}

const workerSource = (): string =>
  [
    // tsx keeps function names with a helper that the copied source may call.
    'const __name = (target) => target;',
    `const REQUIRED_TEXT = ${JSON.stringify(REQUIRED_TEXT)};`,
    `const ROW = ${JSON.stringify(ROW)};`,
    `const isObject = ${String(isObject)};`,
    `${String(recordProblem)}`,
    `${String(fieldSpans)}`,
    `${String(newLineScan)}`,
    `${String(scanLines)}`,
    `const checkLines = ${String(checkLines)};`,
    `const scanFile = ${String(scanFile)};`,
    "const { parentPort, workerData } = require('node:worker_threads');",
    'scanFile(workerData, {',
    "  fs: require('node:fs'),",
    '  port: parentPort,',
    "  createHash: require('node:crypto').createHash,",
    "  isAscii: require('node:buffer').isAscii,",
    '  newLineScan,',
    '  scanLines,',
    '  spansOf: fieldSpans,',
    '  checkLines,',
    '  problemOf: recordProblem,',
    '});',
  ].join('\n');

/** The main thread's end of a scan. */
export interface SnapshotScan {
  /** The next chunk, in the file's order, or null after the last. Rejects if the worker fails. */
  next(): Promise<ScannedChunk | null>;
  /** Gives a chunk's memory back to be read into again: its bytes and table are not to be used after. */
  giveBack(chunk: ScannedChunk): void;
  /** The verdict on the file; it comes after the last chunk. */
  verdict: Promise<SnapshotCheck>;
  /** Ends the worker; settles once it has (and so reads the file no more). */
  stop(): Promise<void>;
  /** Whether the worker keeps the process alive (it does unless told otherwise): not while nothing waits for it. */
  keepsProcessAlive(alive: boolean): void;
}

/** Starts reading the open file in a worker. */
export function startSnapshotScan(input: CheckInput): SnapshotScan {
  // Without this process's node flags: the source is plain CommonJS that loads nothing of the mock's, and a
  // loader (tsx's --import) or --input-type=module would only slow it down or break it.
  const worker = new Worker(workerSource(), { eval: true, workerData: input, execArgv: [] });
  const chunks: Array<ScannedChunk | null> = [];
  let waiting: { resolve(chunk: ScannedChunk | null): void; reject(error: unknown): void } | null = null;
  let failure: Error | null = null;
  let settleVerdict!: { resolve(check: SnapshotCheck): void; reject(error: unknown): void };
  const verdict = new Promise<SnapshotCheck>((resolve, reject) => (settleVerdict = { resolve, reject }));
  // Settled by whoever waits; a start that fails before waiting must not leave an unhandled rejection.
  verdict.catch(() => undefined);
  const arrived = (chunk: ScannedChunk | null) => {
    if (waiting === null) chunks.push(chunk);
    else waiting.resolve(chunk);
    waiting = null;
  };
  const failed = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    waiting = null;
    settleVerdict.reject(failure);
  };
  worker.on('message', (message: FromWorker) => {
    if (message.kind === 'chunk') {
      const { buffer, length, at, ascii, table, lines, stride } = message;
      arrived({ bytes: Buffer.from(buffer, 0, length), at, ascii, table, lines, stride });
    } else if (message.kind === 'end') {
      arrived(null);
    } else {
      settleVerdict.resolve(message.check);
    }
  });
  worker.once('error', failed);
  worker.once('exit', (code) => failed(new Error(`the snapshot scan stopped (exit code ${code})`)));
  return {
    next: () => {
      if (chunks.length > 0) return Promise.resolve(chunks.shift()!);
      if (failure !== null) return Promise.reject(failure);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    giveBack: (chunk) => {
      const back: ToWorker = { buffer: chunk.bytes.buffer as ArrayBuffer, table: chunk.table };
      worker.postMessage(back, [back.buffer, chunk.table.buffer as ArrayBuffer]);
    },
    verdict,
    stop: () => worker.terminate().then(() => undefined),
    keepsProcessAlive: (alive) => (alive ? worker.ref() : worker.unref()),
  };
}
