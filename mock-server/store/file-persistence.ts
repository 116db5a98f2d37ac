/**
 * Persistence on files, without rewriting the data file on every request: each committed batch of
 * mutations is appended to a write-ahead log next to the snapshot (one JSON line), and the log is folded
 * into the snapshot (lowdb's JSON document, see snapshot-file.ts) now and then and at shutdown. A request
 * is answered only after its line is written, so an acknowledged write survives the process being killed.
 *
 *   store.json        lowdb snapshot: every record, plus the last log sequence number it contains
 *                     (one record per line, see snapshot-file.ts; lowdb reads other layouts)
 *   store.json.wal    append-only log of mutation batches since that snapshot
 */
import { DataFileLock } from './data-file-lock.ts';
import { mutationProblem, recordProblem } from './record-shape.ts';
import {
  appendFileSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { COLLECTIONS, SNAPSHOT_FORMAT, type Mutation, type SnapshotData } from './records.ts';
import {
  MisreadLine,
  NotLineLayout,
  WrongShapeRecord,
  readSnapshot,
  readWholeSnapshot,
  writeSnapshot,
  type SnapshotHeader,
  type SnapshotSink,
  type SnapshotSource,
} from './snapshot-file.ts';
import { afterTurn } from '../time/after-turn.ts';
import { claimPrefetch, type PrefetchedSnapshot } from './snapshot-prefetch.ts';
import { SCAN_FROM_BYTES } from './snapshot-scan-worker.ts';

export interface LoggedBatch {
  seq: number;
  mutations: Mutation[];
}

export interface LoadedState {
  /** The snapshot's header (its records went to `apply` as they were read), or null without one. */
  snapshot: SnapshotHeader | null;
  batches: LoggedBatch[];
  /** Log lines that could not be read at the end of the log (a write cut short by a crash). */
  droppedTail: number;
  /** A previous compaction stopped before its snapshot was written; fold the log in before serving. */
  interruptedCompaction: boolean;
}

/** A data file that cannot be read: the message names the file and what to do. */
export { DataFileInUseError } from './data-file-lock.ts';

export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      `${file}: ${problem}. The mock will not start on it, so nothing in it is lost. ` +
        'Start with --move-corrupt-store to move the store files aside and begin empty, or point --data at another file.',
    );
  }
}

export interface FilePersistenceOptions {
  /**
   * Fold the log into the snapshot once it is this large, or as large as the snapshot itself if that is
   * bigger: then folding costs, per byte logged, about one byte written, however big the store grows.
   */
  compactAfterBytes?: number;
  /** Told when folding the log into the snapshot fails (the log keeps every write; it is tried again). */
  onProblem?: (message: string) => void;
  /**
   * From this size on, the snapshot's records are held as their JSON lines until read, and its lines
   * are read and checked in a worker (snapshot-file.ts); below it, every line is parsed (a worker costs
   * more than parsing a small file). SCAN_FROM_BYTES (16 MB) by default.
   */
  keepLinesFromBytes?: number;
}

/**
 * A log this many times the size of the live records is folded in at once (when it is also a sixteenth of
 * the size limit or more): folding writes the live records, here at most an eighth of the log it removes.
 */
const LOG_OUTWEIGHS_LIVE = 8;

export class FilePersistence {
  readonly kind = 'file';
  readonly walFile: string;
  private readonly compactingFile: string;
  private readonly compactAfterBytes: number;
  private wal: FileHandle | null = null;
  private walBytes = 0;
  /** Whether the snapshot file is the store's own writing of everything before the log. */
  private snapshotCurrent = false;
  private snapshotBytes = 0;
  /** Lines waiting for the next write; every line written resolves its commit. */
  private pending: Array<{ line: string; resolve: () => void; reject: (error: Error) => void }> = [];
  private flushScheduled = false;
  /** File operations on the log run one after another on this chain (writes, rotation, close). */
  private io: Promise<void> = Promise.resolve();
  private compaction: Promise<void> | null = null;
  private failedCompactions = 0;
  /** Set by close() and release(): nothing is written or retried after. */
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly onProblem: (message: string) => void;
  private snapshotSource: (() => SnapshotSource) | null = null;
  private liveBytes: () => number = () => Infinity;
  private lock: DataFileLock | null = null;

  constructor(
    readonly file: string,
    options: FilePersistenceOptions = {},
  ) {
    this.walFile = `${file}.wal`;
    this.compactingFile = `${file}.wal.compacting`;
    this.compactAfterBytes = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.onProblem = options.onProblem ?? (() => undefined);
    this.keepLinesFromBytes = options.keepLinesFromBytes ?? SCAN_FROM_BYTES;
  }

  private readonly keepLinesFromBytes: number;

  get location(): string {
    return this.file;
  }

  /** Reads the snapshot, handing its records to the sink, then the log batches after it. */
  async load(sink: SnapshotSink): Promise<LoadedState> {
    // A read of the snapshot begun before the mock's modules loaded (snapshot-prefetch.ts): claimed
    // first, so that it ends with this load whatever happens; taken only once the lock is held.
    const prefetched = claimPrefetch(this.file);
    try {
      return await this.loadWith(sink, prefetched);
    } finally {
      prefetched?.drop();
    }
  }

  private async loadWith(sink: SnapshotSink, prefetched: PrefetchedSnapshot | null): Promise<LoadedState> {
    mkdirSync(dirname(this.file), { recursive: true });
    // First, before reading: another process writing the same files would make this load a lie.
    this.lock = DataFileLock.acquire(this.file);
    // A snapshot write cut short by a crash leaves its temporary file; the snapshot it was to replace is intact.
    const temporaryPrefix = `${basename(this.file)}.tmp-`;
    for (const name of readdirSync(dirname(this.file))) {
      if (name.startsWith(temporaryPrefix)) unlinkSync(join(dirname(this.file), name));
    }
    const snapshot = existsSync(this.file) ? await this.readSnapshotFile(sink, prefetched) : null;
    this.snapshotBytes = snapshot === null ? 0 : statSync(this.file).size;
    // Written by the store, whole (its digest is there): closing with nothing logged need not write it again.
    this.snapshotCurrent = snapshot?.sha256 !== undefined;
    const after = snapshot?.seq ?? 0;
    const batches: LoggedBatch[] = [];
    let droppedTail = 0;
    for (const logFile of [this.compactingFile, this.walFile]) {
      if (!existsSync(logFile)) continue;
      const result = readLog(logFile, after);
      batches.push(...result.batches);
      droppedTail += result.droppedTail;
      // The live log is appended to next: a line cut short must go first, and a last line without its
      // newline gets one, or the next write would be glued onto it and lost at the next start.
      if (logFile === this.walFile) endWithWholeLine(logFile, result);
    }
    this.wal = await open(this.walFile, 'a');
    this.walBytes = statSync(this.walFile).size;
    return { snapshot, batches, droppedTail, interruptedCompaction: existsSync(this.compactingFile) };
  }

  private async readSnapshotFile(sink: SnapshotSink, prefetched: PrefetchedSnapshot | null): Promise<SnapshotHeader> {
    const apply = (mutation: Mutation) => sink.put(mutation);
    const notAStore = () =>
      new StoreFileError(this.file, `is not a scv-telephony-mock store (expected "format": "${SNAPSHOT_FORMAT}")`);
    let header: SnapshotHeader;
    try {
      const keepLines = sink.lines !== undefined && statSync(this.file).size >= this.keepLinesFromBytes;
      try {
        header = await readSnapshot(this.file, keepLines ? sink : { put: apply }, prefetched);
      } catch (error) {
        // A line that does not read the same unparsed (edited by hand): read it all again, parsing.
        if (!(error instanceof MisreadLine)) throw error;
        sink.lines!.discard();
        header = await readSnapshot(this.file, { put: apply });
      }
    } catch (error) {
      if (error instanceof WrongShapeRecord)
        throw new StoreFileError(this.file, `line ${error.line} holds a record of the wrong shape: ${error.message}`);
      if (!(error instanceof NotLineLayout))
        throw new StoreFileError(this.file, `is not valid JSON (${(error as Error).message})`);
      // Another layout of the same document (edited by hand, say): lowdb reads it whole, into a state
      // without the lines held before the layout turned out otherwise.
      sink.lines?.discard();
      let data: SnapshotData | null;
      try {
        data = await readWholeSnapshot(this.file);
      } catch (parseError) {
        throw new StoreFileError(this.file, `is not valid JSON (${(parseError as Error).message})`);
      }
      if (data === null || typeof data !== 'object' || data.format !== SNAPSHOT_FORMAT) throw notAStore();
      for (const name of COLLECTIONS) {
        for (const [i, record] of (data[name] ?? []).entries()) {
          const problem = recordProblem(name, record);
          if (problem !== null) throw new StoreFileError(this.file, `${name}[${i}] has the wrong shape: ${problem}`);
          apply({ op: 'put', collection: name, record } as Mutation);
        }
      }
      header = { format: data.format, seq: data.seq, meta: data.meta };
    }
    if (header.format !== SNAPSHOT_FORMAT) throw notAStore();
    return header;
  }

  /**
   * Where the snapshot comes from when the log is folded into it, and the live records' size as JSON
   * (about what the snapshot would take).
   */
  setSnapshotSource(source: () => SnapshotSource, liveBytes: () => number): void {
    this.snapshotSource = source;
    this.liveBytes = liveBytes;
  }

  private serially(op: () => Promise<void>): Promise<void> {
    const run = this.io.then(op);
    this.io = run.catch(() => undefined);
    return run;
  }

  /**
   * Resolves once the batch's line is written to the log. Group commit: the lines of every request
   * handled in one turn of the event loop go out in one write, after that turn (setImmediate).
   */
  append(batch: LoggedBatch): Promise<void> {
    const line = `${JSON.stringify({ seq: batch.seq, m: batch.mutations })}\n`;
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        afterTurn(() => void this.serially(async () => this.flush()));
      }
    });
  }

  /**
   * Writes the queued lines with one synchronous write: a few kilobytes into the page cache take
   * microseconds, while the asynchronous write's trip through libuv's thread pool held every waiting
   * answer back (a quarter to a half of the create throughput in the benchmark).
   */
  private writePending(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      if (this.wal === null) throw new Error('the store is closed');
      // Written as the string: a Buffer of each batch, fresh memory each time, cost more than the write.
      const text = batch.length === 1 ? batch[0]!.line : batch.map((item) => item.line).join('');
      const size = Buffer.byteLength(text);
      let written = writeSync(this.wal.fd, text);
      if (written < size) {
        // Rare (a disk filling up): the rest from the bytes, or the error that stops it.
        const bytes = Buffer.from(text);
        while (written < size) written += writeSync(this.wal.fd, bytes, written);
      }
      this.walBytes += size;
      for (const item of batch) item.resolve();
    } catch (error) {
      // A full disk can take part of the chunk: cut it off, so the log still ends with a whole line when
      // writes succeed again (the lines were refused, and a half line would hide the next one).
      if (this.wal !== null) {
        try {
          ftruncateSync(this.wal.fd, this.walBytes);
        } catch {
          // The next start drops a cut last line anyway.
        }
      }
      for (const item of batch) item.reject(error as Error);
    }
  }

  private flush(): void {
    this.writePending();
    const due = this.walBytes >= Math.max(this.compactAfterBytes, this.snapshotBytes) || this.logMostlyGone();
    if (due && this.compaction === null && this.retry === null) this.startCompaction();
  }

  /**
   * Whether most of the log describes records that are gone (a reset, calls past retention). A fold
   * costs about the live records, wherever the log stands, so this is when it is cheapest: left to the
   * size limit, the same log would be folded later, in the middle of a load, at the cost of everything
   * stored by then. The benchmark resets the store before each run: its log, left to the limit, reached
   * 64 MB every 8 s or so at full speed, and every other paced run at 3,469 creates/s; folded at the
   * reset, a paced run starts on an empty log and ends below the limit.
   */
  private logMostlyGone(): boolean {
    return this.walBytes >= this.compactAfterBytes / 16 && this.walBytes >= LOG_OUTWEIGHS_LIVE * this.liveBytes();
  }

  /**
   * Folds the log in the background. A failure (a full disk, no file handles left) must not stop the
   * mock: the log still holds every write, so it answers on, says so, and tries again later, waiting
   * longer after each failure.
   */
  private startCompaction(): void {
    this.compaction = this.compact()
      .then(
        () => {
          this.failedCompactions = 0;
        },
        (error: unknown) => {
          this.failedCompactions += 1;
          const wait = Math.min(60, 2 ** (this.failedCompactions - 1));
          this.onProblem(
            `folding the store's log into ${this.file} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
              `the log keeps every write. Trying again in ${wait} s.`,
          );
          this.retry = setTimeout(() => {
            this.retry = null;
            if (!this.closed && this.compaction === null) this.startCompaction();
          }, wait * 1000);
          this.retry.unref();
        },
      )
      .finally(() => {
        this.compaction = null;
      });
  }

  /**
   * Folds the log into the snapshot. The log is renamed aside between two writes, so later batches go to
   * a fresh log; the renamed one is deleted once lowdb has renamed the snapshot that contains it into
   * place. A renamed log left by an interrupted compaction is folded in first, never overwritten. On
   * replay, log lines the snapshot already contains are skipped by their sequence number.
   */
  async compact(): Promise<void> {
    if (this.snapshotSource === null) return;
    await this.serially(async () => {
      // A log that could not be reopened by a failed compaction: open it again first.
      if (this.wal === null && !this.closed) {
        this.wal = await open(this.walFile, 'a');
        this.walBytes = statSync(this.walFile).size;
      }
      if (this.wal === null || existsSync(this.compactingFile)) return;
      // Lines queued for the next turn belong in the log being folded in.
      this.writePending();
      await this.wal.close();
      this.wal = null;
      renameSync(this.walFile, this.compactingFile);
      this.wal = await open(this.walFile, 'a');
      this.walBytes = 0;
    });
    await writeSnapshot(this.file, this.snapshotSource());
    this.snapshotCurrent = true;
    this.snapshotBytes = statSync(this.file).size;
    // Deleted in the thread pool, like the snapshot's rename: a folded log of 64 MB or more took 10-27 ms
    // to unlink, a stall in the middle of the load that filled it. Until it is gone, the next compaction
    // waits for this one, and a start after a crash folds it in again (its lines are skipped by seq).
    if (existsSync(this.compactingFile)) await unlink(this.compactingFile);
  }

  /** Closes the log without writing anything: for a store that failed to load and will not be used. */
  async release(): Promise<void> {
    this.closed = true;
    await this.wal?.close();
    this.wal = null;
    this.lock?.release();
    this.lock = null;
  }

  /** Writes everything pending, folds the log into the snapshot and closes the log. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    await this.compaction;
    // With nothing logged since its snapshot, a store closes without writing it again (a large store took
    // seconds to stop, writing what it had read).
    const logged = this.walBytes > 0 || this.pending.length > 0 || existsSync(this.compactingFile);
    if (logged || !this.snapshotCurrent) await this.compact();
    await this.serially(async () => {
      this.writePending();
      await this.wal?.close();
      this.wal = null;
    });
    if (existsSync(this.walFile) && statSync(this.walFile).size === 0) unlinkSync(this.walFile);
    this.lock?.release();
    this.lock = null;
  }
}

interface LogContents {
  batches: LoggedBatch[];
  droppedTail: number;
  /** How many of the log's bytes hold whole, readable lines. */
  validBytes: number;
  /** The last readable line lacks its newline (the write stopped just before it). */
  missingNewline: boolean;
}

/** The log's batches after `afterSeq`, and what it takes to make it end with a whole line. */
function readLog(file: string, afterSeq: number): LogContents {
  const lines = readFileSync(file, 'utf8').split('\n');
  const batches: LoggedBatch[] = [];
  let validBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineBytes = Buffer.byteLength(line) + (i < lines.length - 1 ? 1 : 0);
    if (line.trim() === '') {
      validBytes += lineBytes;
      continue;
    }
    let parsed: { seq?: unknown; m?: unknown };
    try {
      parsed = JSON.parse(line) as { seq?: unknown; m?: unknown };
    } catch {
      const rest = lines.slice(i + 1).filter((l) => l.trim() !== '');
      // Only the last line can be cut short by a crash; it was never acknowledged.
      if (rest.length === 0) return { batches, droppedTail: 1, validBytes, missingNewline: false };
      throw new StoreFileError(file, `line ${i + 1} is not valid JSON`);
    }
    if (typeof parsed.seq !== 'number' || !Array.isArray(parsed.m)) {
      throw new StoreFileError(file, `line ${i + 1} is not a log entry`);
    }
    for (const mutation of parsed.m as unknown[]) {
      const problem = mutationProblem(mutation);
      if (problem !== null)
        throw new StoreFileError(file, `line ${i + 1} holds a change of the wrong shape: ${problem}`);
    }
    if (parsed.seq > afterSeq) batches.push({ seq: parsed.seq, mutations: parsed.m as Mutation[] });
    validBytes += lineBytes;
  }
  return { batches, droppedTail: 0, validBytes, missingNewline: lines[lines.length - 1] !== '' };
}

function endWithWholeLine(file: string, log: LogContents): void {
  if (statSync(file).size > log.validBytes) truncateSync(file, log.validBytes);
  if (log.missingNewline) appendFileSync(file, '\n');
}

/** Renames the store's files (snapshot and logs) to <name>.corrupt-<time>, so the next start is empty. */
export function moveStoreAside(file: string, now = new Date()): string[] {
  const suffix = `.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  const moved: string[] = [];
  for (const path of [file, `${file}.wal`, `${file}.wal.compacting`]) {
    if (!existsSync(path)) continue;
    renameSync(path, `${path}${suffix}`);
    moved.push(`${path}${suffix}`);
  }
  return moved;
}
