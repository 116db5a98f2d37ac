/**
 * The snapshot file: the lowdb JSON document the store folds its log into, written and read one record
 * per line. The document stays valid JSON that lowdb (or any JSON tool) reads whole; the line layout lets
 * the mock write it in small chunks between requests and read it without first holding the whole file
 * as one string, which with hundreds of thousands of records cost seconds of blocking and hundreds of
 * megabytes at the peak.
 */
import { recordProblem } from './record-shape.ts';
import { ROW } from './line-scan.ts';
import { lineFieldsByCollection } from './snapshot-check.ts';
import { startSnapshotScan, type SnapshotScan } from './snapshot-scan-worker.ts';
import type { PrefetchedSnapshot } from './snapshot-prefetch.ts';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsync, openSync, read, unlinkSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { isAscii } from 'node:buffer';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import {
  COLLECTIONS,
  type SNAPSHOT_FORMAT,
  type CollectionName,
  type Mutation,
  type RecordsByCollection,
  type SnapshotData,
  type StoreMeta,
} from './records.ts';
import { afterTurn } from '../time/after-turn.ts';

/**
 * Reads a snapshot of another layout (pretty-printed, edited by hand) whole, with lowdb: the document is
 * the same, only its line layout is not the one readSnapshot streams.
 */
export async function readWholeSnapshot(file: string): Promise<SnapshotData | null> {
  const db = new Low(
    new DataFile<SnapshotData | null>(file, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }),
    null,
  );
  await db.read();
  return db.data;
}

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  seq: number;
  meta: StoreMeta | null;
  /**
   * The SHA-256 of the file's bytes after this header's line, as writeSnapshot wrote them: a file that
   * still has them was written by the store, whole, and its lines need no check (snapshot-check.ts).
   * Absent from files written before it was added, and ignored when a file is read whole.
   */
  sha256?: string;
}

/** Written in the header's place for the digest, and overwritten with it once the rest is written. */
const DIGEST_PLACEHOLDER = '0'.repeat(64);

/**
 * What a snapshot is made of: its header and, per collection, the records to write (iterated lazily),
 * each a record or the JSON line it is still held as (written as it is).
 */
export interface SnapshotSource {
  header: SnapshotHeader;
  records: { [C in CollectionName]: Iterable<RecordsByCollection[C] | string> };
}

/** Records stringified between two yields to requests: about 0.1 MB of text, well under a millisecond here. */
const RECORDS_PER_CHUNK = 100;
const yieldToRequests = () => new Promise<void>((resolve) => afterTurn(resolve));
const fsyncAsync = promisify(fsync);

/**
 * Encodes text into one reused buffer, hashes it and writes it. Hashing and writing the string itself
 * encoded it twice, each time into fresh memory: on these virtual machines the first touch of new memory
 * costs about 3.5 ms a megabyte, and folding a 170 MB log paid that twice over.
 */
class HashedFileWriter {
  private scratch = Buffer.allocUnsafeSlow(1024 * 1024);
  private readonly digest = createHash('sha256');
  bytes = 0;

  constructor(private readonly fd: number) {}

  /** Writes text (not hashed: the header) and returns where it started. */
  write(text: string, hashed = true): number {
    const at = this.bytes;
    const most = text.length * 3;
    if (most > this.scratch.length && Buffer.byteLength(text) > this.scratch.length) {
      this.scratch = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    }
    const length = this.scratch.write(text);
    const bytes = this.scratch.subarray(0, length);
    if (hashed) this.digest.update(bytes);
    for (let written = 0; written < length;) written += writeSync(this.fd, bytes, written, length - written);
    this.bytes += length;
    return at;
  }

  hex(): string {
    return this.digest.digest('hex');
  }
}

/**
 * Writes the snapshot to a temporary file in chunks, yielding to pending requests between chunks, then
 * flushes it to disk and renames it over the old one: a reader sees the old file or the new, never a
 * part. Records may change while it writes; the log entries after header.seq are replayed on top at the
 * next start, and they repeat those changes.
 */
export async function writeSnapshot(file: string, source: SnapshotSource): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  let fd: number | null = openSync(temporary, 'w');
  try {
    const out = new HashedFileWriter(fd);
    const { format, seq, meta } = source.header;
    const header = `${JSON.stringify({ format, seq, meta, sha256: DIGEST_PLACEHOLDER }).slice(0, -1)},\n`;
    const digestAt = Buffer.byteLength(header.slice(0, header.lastIndexOf(DIGEST_PLACEHOLDER)));
    out.write(header, false);
    for (const [i, name] of COLLECTIONS.entries()) {
      out.write(`${JSON.stringify(name)}:[\n`);
      let chunk: string[] = [];
      let first = true;
      for (const record of source.records[name] as Iterable<unknown>) {
        chunk.push(typeof record === 'string' ? record : JSON.stringify(record));
        if (chunk.length === RECORDS_PER_CHUNK) {
          out.write(`${first ? '' : ',\n'}${chunk.join(',\n')}`);
          first = false;
          chunk = [];
          await yieldToRequests();
        }
      }
      if (chunk.length > 0) out.write(`${first ? '' : ',\n'}${chunk.join(',\n')}`);
      out.write(i === COLLECTIONS.length - 1 ? '\n]}\n' : '\n],\n');
    }
    writeSync(fd, out.hex(), digestAt, 'latin1');
    // Flushed in the thread pool: a large snapshot's fsync would otherwise stall every request.
    await fsyncAsync(fd);
    closeSync(fd);
    fd = null;
    // In the thread pool: replacing a file frees the old one's blocks, and for a large snapshot that is
    // tens of milliseconds (an 86 MB file took 10-27 ms to unlink here) during which no request is answered.
    await rename(temporary, file);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    if (existsSync(temporary)) unlinkSync(temporary);
    throw error;
  }
}

/** The snapshot's layout was not the line layout this module writes (a hand-edited file, say). */
export class NotLineLayout extends Error {}

/** A line of the snapshot that is JSON, but not a record of the shape the store writes. */
export class WrongShapeRecord extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(problem);
  }
}

/** How much of the file is read at a time. */
const READ_BYTES = 4 * 1024 * 1024;
const readAt = promisify(read) as (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
) => Promise<{ bytesRead: number; buffer: Buffer }>;

/**
 * For a snapshot read without a worker (one below the size the store holds as lines): calls `onLine`
 * with each line of the open file as a range of a buffer's bytes (valid until it returns),
 * the line's position in the file, and whether the bytes are ASCII. The file is read in large chunks and
 * split on newlines (readline's per-line events cost a fifth of the start on 100,000 calls) into two
 * buffers used in turn: fresh memory for every chunk cost more than the rest of the reading. A \r before a
 * newline is left out. The lines stay bytes so that a line kept as text, and the keys read from it, are
 * strings of their own: a string sliced from a larger one keeps all of it in memory.
 */
async function forEachLine(
  fd: number,
  onLine: (bytes: Buffer, start: number, end: number, ascii: boolean, position: number) => void,
): Promise<void> {
  let reading: Promise<{ bytesRead: number; buffer: Buffer }> | undefined;
  const emit = (bytes: Buffer, start: number, end: number, ascii: boolean, position: number) =>
    onLine(bytes, start, end > start && bytes[end - 1] === 13 ? end - 1 : end, ascii, position);
  try {
    // The next chunk is read while this one is split (the read otherwise left the thread idle for a
    // twentieth of the load).
    const buffers = [Buffer.allocUnsafeSlow(READ_BYTES), Buffer.allocUnsafeSlow(READ_BYTES)];
    // The start of a line that the previous chunk cut (a copy: its buffer is read into again), and where
    // it is in the file.
    let carried: Buffer | null = null;
    let carriedAt = 0;
    let turn = 0;
    let chunkAt = 0;
    reading = readAt(fd, buffers[0]!, 0, READ_BYTES, 0);
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) break;
      turn ^= 1;
      reading = readAt(fd, buffers[turn]!, 0, READ_BYTES, chunkAt + bytesRead);
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      let newline = chunk.indexOf(10);
      if (carried !== null) {
        if (newline < 0) {
          carried = Buffer.concat([carried, chunk]);
          chunkAt += bytesRead;
          continue;
        }
        const line = Buffer.concat([carried, chunk.subarray(0, newline)]);
        carried = null;
        emit(line, 0, line.length, isAscii(line), carriedAt);
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      const ascii = isAscii(chunk);
      for (; newline >= 0; newline = chunk.indexOf(10, start)) {
        emit(chunk, start, newline, ascii, chunkAt + start);
        start = newline + 1;
      }
      if (start < bytesRead) {
        carried = Buffer.from(chunk.subarray(start));
        carriedAt = chunkAt + start;
      }
      chunkAt += bytesRead;
    }
    if (carried !== null) emit(carried, 0, carried.length, isAscii(carried), carriedAt);
  } finally {
    // A line that throws leaves the next read in flight: let it land before the file is closed.
    await reading?.catch(() => undefined);
  }
}

/**
 * Where a snapshot's records go. `lines`, when given, takes a record of an ASCII line as that line,
 * indexed by fields a worker found in its text (snapshot-scan-worker.ts), instead of the parsed record;
 * the file is then checked in that worker (snapshot-check.ts) before readSnapshot returns.
 */
export interface SnapshotSink {
  put(mutation: Mutation): void;
  lines?: LineSink;
}

export interface LineSink {
  fieldsOf(collection: CollectionName): readonly string[];
  /**
   * The lines put from now on are in this file, open as `fd`: the sink reads them from it when asked for
   * their records, and closes it (also when it holds none: after `finishReading`).
   */
  readFrom(fd: number, file: string): void;
  /** Keeps the record of the ASCII line of `length` bytes at `position` in the file as that line, or false. */
  putLine(collection: CollectionName, position: number, length: number, fields: readonly string[]): boolean;
  /** Every line has been put (or reading failed). */
  finishReading(): void;
  /** Forgets every record put so far: the snapshot is read again, parsing every line (MisreadLine). */
  discard(): void;
}

/** The index fields of a line did not read as fieldSpans read them: load the snapshot parsing every line. */
export class MisreadLine extends Error {
  constructor(readonly line: number) {
    super(`line ${line} does not read the same without parsing it`);
  }
}

const lineText = (bytes: Buffer, start: number, end: number, ascii: boolean) =>
  bytes.toString(ascii ? 'latin1' : 'utf8', start, end);

/** What readSnapshot does with each line: a range of a buffer's bytes, and its row if it was scanned. */
type OnLine = (
  bytes: Buffer,
  start: number,
  end: number,
  ascii: boolean,
  position: number,
  table: Int32Array | null,
  row: number,
) => void;

/**
 * Calls `onLine` with each line of the chunks a worker scanned (snapshot-scan-worker.ts), with its row,
 * giving each chunk back once its lines are done.
 */
async function forEachScannedLine(scan: SnapshotScan, onLine: OnLine): Promise<void> {
  for (let chunk = await scan.next(); chunk !== null; chunk = await scan.next()) {
    const { bytes, table, at, ascii, stride } = chunk;
    const rows = chunk.lines * stride;
    for (let row = 0; row < rows; row += stride) {
      const start = table[row + ROW.start]!;
      onLine(bytes, start, table[row + ROW.end]!, ascii, at + start, table, row);
    }
    scan.giveBack(chunk);
  }
}

/**
 * Reads a snapshot written by writeSnapshot line by line, handing each record to the sink as it goes.
 * Throws NotLineLayout when the file is JSON of another layout, SyntaxError when it is damaged,
 * WrongShapeRecord for a record of the wrong shape and MisreadLine (with `lines`) when a line must be
 * parsed to be indexed. With `lines`, a worker reads the file and finds each line's fields (the one
 * `prefetched` began, if it still reads this file); without, every line is parsed here.
 */
export async function readSnapshot(
  file: string,
  sink: SnapshotSink,
  prefetched: PrefetchedSnapshot | null = null,
): Promise<SnapshotHeader> {
  let header: SnapshotHeader | undefined;
  let collection: CollectionName | undefined;
  let finished = false;
  let lineNumber = 0;
  const lines = sink.lines;
  const fields = lines === undefined ? undefined : lineFieldsByCollection((collection) => lines.fieldsOf(collection));
  // The collections as the worker numbers them, and per collection the values found in the last line
  // found in it: a row marks the values that are the same text, and their strings are reused.
  const numbered = fields === undefined ? [] : (Object.keys(fields) as CollectionName[]);
  const previousOf = numbered.map((): string[] => []);
  const fieldCounts = numbered.map((name) => fields![name].names.length);
  const taken = fields === undefined ? null : (prefetched?.take(file, fields) ?? null);
  const fd = taken?.fd ?? openSync(file, 'r');
  // With `lines`, the sink owns the file from here: its held lines are read from it.
  lines?.readFrom(fd, file);
  const scan = fields === undefined ? undefined : (taken?.scan ?? startSnapshotScan({ fd, fields }));
  const onLine: OnLine = (bytes, start, end, ascii, position, table, row) => {
    lineNumber += 1;
    const text = () => lineText(bytes, start, end, ascii);
    if (header === undefined) {
      const line = text();
      if (!line.startsWith('{"format":') || !line.endsWith(',')) throw new NotLineLayout();
      header = JSON.parse(`${line.slice(0, -1)}}`) as SnapshotHeader;
      return;
    }
    if (finished) {
      if (text().trim() !== '') throw new SyntaxError(`unexpected content after the end, line ${lineNumber}`);
      return;
    }
    if (collection === undefined) {
      const name = /^"(\w+)":\[$/.exec(text())?.[1];
      if (name === undefined || !(COLLECTIONS as readonly string[]).includes(name)) throw new NotLineLayout();
      collection = name as CollectionName;
      return;
    }
    if (end === start) return;
    if (end - start === 2 && bytes[start] === 93) {
      const line = text();
      if (line === '],' || line === ']}') {
        finished = line === ']}';
        collection = undefined;
        return;
      }
    }
    // Records are separated by a comma at the end of each line but the last.
    const recordEnd = bytes[end - 1] === 44 ? end - 1 : end;
    const found = table === null ? -1 : table[row + ROW.collection]!;
    if (found >= 0) {
      const previous = previousOf[found]!;
      const same = table![row + ROW.same]!;
      const values: string[] = [];
      for (let i = 0, count = fieldCounts[found]!; i < count; i++) {
        const last = previous[i];
        const at = row + ROW.spans + 2 * i;
        values.push(
          (same >> i) & 1 && last !== undefined
            ? last
            : (previous[i] = bytes.toString('latin1', table![at], table![at + 1])),
        );
      }
      if (numbered[found] === collection && lines!.putLine(collection, position, recordEnd - start, values)) return;
    }
    const record: unknown = JSON.parse(bytes.toString(ascii ? 'latin1' : 'utf8', start, recordEnd));
    const problem = recordProblem(collection, record);
    if (problem !== null) throw new WrongShapeRecord(lineNumber, problem);
    sink.put({ op: 'put', collection, record } as Mutation);
  };
  try {
    if (scan === undefined)
      await forEachLine(fd, (bytes, start, end, ascii, position) =>
        onLine(bytes, start, end, ascii, position, null, 0),
      );
    else await forEachScannedLine(scan, onLine);
    if (header === undefined) throw new NotLineLayout();
    if (!finished) throw new SyntaxError(`the file ends early, after line ${lineNumber}`);
    if (scan !== undefined) {
      const verdict = await scan.verdict;
      if (verdict.kind === 'syntax') throw new SyntaxError(`${verdict.message} (line ${verdict.line})`);
      if (verdict.kind === 'shape') throw new WrongShapeRecord(verdict.line, verdict.message);
      if (verdict.kind === 'misread') throw new MisreadLine(verdict.line);
    }
  } finally {
    // Ended before the file can close: the worker reads it through the same descriptor.
    await scan?.stop();
    if (lines === undefined) closeSync(fd);
    else lines.finishReading();
  }
  return header;
}
