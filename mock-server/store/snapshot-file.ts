/**
 * The snapshot file: the lowdb JSON document the store folds its log into, written and read one record
 * per line. The document stays valid JSON that lowdb (or any JSON tool) reads whole; the line layout lets
 * the mock write it in small chunks between requests and read it without first holding the whole file
 * as one string, which with hundreds of thousands of records cost seconds of blocking and hundreds of
 * megabytes at the peak.
 */
import { recordProblem } from './record-shape.ts';
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileReadResult } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
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
}

/** What a snapshot is made of: its header and, per collection, the records to write (iterated lazily). */
export interface SnapshotSource {
  header: SnapshotHeader;
  records: { [C in CollectionName]: Iterable<RecordsByCollection[C]> };
}

const RECORDS_PER_CHUNK = 500;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes the snapshot to a temporary file in chunks, yielding to pending requests between chunks, then
 * flushes it to disk and renames it over the old one: a reader sees the old file or the new, never a
 * part. Records may change while it writes; the log entries after header.seq are replayed on top at the
 * next start, and they repeat those changes.
 */
export async function writeSnapshot(file: string, source: SnapshotSource): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  const out = createWriteStream(temporary, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    const { format, seq, meta } = source.header;
    await write(`${JSON.stringify({ format, seq, meta }).slice(0, -1)},\n`);
    for (const [i, name] of COLLECTIONS.entries()) {
      await write(`${JSON.stringify(name)}:[\n`);
      let chunk: string[] = [];
      let first = true;
      for (const record of source.records[name] as Iterable<unknown>) {
        chunk.push(JSON.stringify(record));
        if (chunk.length === RECORDS_PER_CHUNK) {
          await write(`${first ? '' : ',\n'}${chunk.join(',\n')}`);
          first = false;
          chunk = [];
          await yieldToRequests();
        }
      }
      if (chunk.length > 0) await write(`${first ? '' : ',\n'}${chunk.join(',\n')}`);
      await write(i === COLLECTIONS.length - 1 ? '\n]}\n' : '\n],\n');
    }
    out.end();
    await once(out, 'finish');
    const handle = await open(temporary, 'r+');
    await handle.sync();
    await handle.close();
    renameSync(temporary, file);
  } catch (error) {
    out.destroy();
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

/**
 * Calls `onLine` with each line of the file, read in large chunks and split on newlines (readline's
 * per-line events cost a fifth of the start on 100,000 calls). A \r before a newline is dropped.
 */
async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  const handle = await open(file, 'r');
  let reading: Promise<FileReadResult<Buffer>> | undefined;
  try {
    // Two buffers: the next chunk is read while this one is split and parsed (the read otherwise left
    // the thread idle for a twentieth of the load).
    const buffers = [Buffer.allocUnsafe(4 << 20), Buffer.allocUnsafe(4 << 20)];
    const decoder = new StringDecoder('utf8');
    // While every chunk has been ASCII (the usual store), a chunk is copied as Latin-1, which is exact for
    // ASCII and about four times faster than decoding UTF-8 (a tenth of a second on 170 MB). From the
    // first chunk that is not, the decoder takes over; it holds no partial character before that.
    let ascii = true;
    let rest = '';
    let turn = 0;
    reading = handle.read(buffers[0]!, 0, buffers[0]!.length, null);
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) break;
      turn ^= 1;
      reading = handle.read(buffers[turn]!, 0, buffers[turn]!.length, null);
      const chunk = buffer.subarray(0, bytesRead);
      ascii &&= isAscii(chunk);
      const text = rest + (ascii ? chunk.toString('latin1') : decoder.write(chunk));
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        onLine(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  } finally {
    // A line that throws leaves the next read in flight: let it land before closing.
    await reading?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * Reads a snapshot written by writeSnapshot line by line, handing each record to `put` as it goes.
 * Throws NotLineLayout when the file is JSON of another layout, and SyntaxError when it is damaged.
 */
export async function readSnapshot(file: string, put: (mutation: Mutation) => void): Promise<SnapshotHeader> {
  let header: SnapshotHeader | undefined;
  let collection: CollectionName | undefined;
  let finished = false;
  let lineNumber = 0;
  await forEachLine(file, (line) => {
    lineNumber += 1;
    if (header === undefined) {
      if (!line.startsWith('{"format":') || !line.endsWith(',')) throw new NotLineLayout();
      header = JSON.parse(`${line.slice(0, -1)}}`) as SnapshotHeader;
      return;
    }
    if (finished) {
      if (line.trim() !== '') throw new SyntaxError(`unexpected content after the end, line ${lineNumber}`);
      return;
    }
    if (collection === undefined) {
      const name = /^"(\w+)":\[$/.exec(line)?.[1];
      if (name === undefined || !(COLLECTIONS as readonly string[]).includes(name)) throw new NotLineLayout();
      collection = name as CollectionName;
      return;
    }
    if (line === '') return;
    if (line === '],' || line === ']}') {
      finished = line === ']}';
      collection = undefined;
      return;
    }
    const record: unknown = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line);
    const problem = recordProblem(collection, record);
    if (problem !== null) throw new WrongShapeRecord(lineNumber, problem);
    put({ op: 'put', collection, record } as Mutation);
  });
  if (header === undefined) throw new NotLineLayout();
  if (!finished) throw new SyntaxError(`the file ends early, after line ${lineNumber}`);
  return header;
}
