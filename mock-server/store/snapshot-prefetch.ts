/**
 * A large snapshot read from before the mock's own modules have loaded. `scv-mock start` spends some
 * 0.3-0.4 s loading them before it opens the store, and the worker that reads a large snapshot
 * (snapshot-scan-worker.ts) needs about 0.1 s to start and more for its first chunks, time in which the
 * main thread used to wait. Begun first, the worker starts and reads while they load, and the store's
 * load takes the read over (file-persistence.ts).
 *
 * The file is opened once, here, and the load reads it from the same descriptor. It takes the read only
 * if the file at its path is still that one, unchanged, once it holds the data file's lock: a read begun
 * before another process replaced the file is dropped, and the file read again.
 */
import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { lineFieldsByCollection, type CheckInput } from './snapshot-check.ts';
import { SCAN_FROM_BYTES, startSnapshotScan, type SnapshotScan } from './snapshot-scan-worker.ts';
import { StateIndex } from './state-index.ts';

export class PrefetchedSnapshot {
  /** Reading until the load takes it or it is dropped (another file, or no load of it). */
  state: 'reading' | 'taken' | 'dropped' = 'reading';

  constructor(
    readonly file: string,
    private readonly fd: number,
    private readonly stats: Stats,
    private readonly fields: CheckInput['fields'],
    private readonly scan: SnapshotScan,
  ) {}

  /**
   * The open file and its scan, for a reader of `file` that indexes lines by `fields`; null, and the read
   * dropped, when the file there is not the one read (replaced, changed) or the fields differ.
   */
  take(file: string, fields: CheckInput['fields']): { fd: number; scan: SnapshotScan } | null {
    if (this.state !== 'reading') return null;
    const now = statSync(file, { throwIfNoEntry: false });
    const same =
      now !== undefined &&
      resolve(file) === this.file &&
      now.ino === this.stats.ino &&
      now.dev === this.stats.dev &&
      now.size === this.stats.size &&
      now.mtimeMs === this.stats.mtimeMs &&
      JSON.stringify(fields) === JSON.stringify(this.fields);
    if (!same) {
      this.drop();
      return null;
    }
    this.state = 'taken';
    this.scan.keepsProcessAlive(true);
    return { fd: this.fd, scan: this.scan };
  }

  /** Ends a read nobody took: the worker first, then the file it reads. Taken, the reader owns both. */
  drop(): void {
    if (this.state !== 'reading') return;
    this.state = 'dropped';
    const { fd } = this;
    void this.scan.stop().finally(() => closeSync(fd));
  }
}

const pending = new Map<string, PrefetchedSnapshot>();

/**
 * Starts reading `file` in a worker when it is large enough to be held as lines (SCAN_FROM_BYTES),
 * and returns the read (null for none: no such file, or a small one). The read does not keep the
 * process alive until a load takes it.
 */
export function prefetchSnapshot(file: string): PrefetchedSnapshot | null {
  const path = resolve(file);
  pending.get(path)?.drop();
  pending.delete(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // Missing or unreadable: the store reports it (or creates it) when it opens.
    return null;
  }
  const stats = fstatSync(fd);
  if (!stats.isFile() || stats.size < SCAN_FROM_BYTES) {
    closeSync(fd);
    return null;
  }
  const index = new StateIndex();
  const fields = lineFieldsByCollection((collection) => index.lineFields(collection));
  const scan = startSnapshotScan({ fd, fields });
  scan.keepsProcessAlive(false);
  const prefetched = new PrefetchedSnapshot(path, fd, stats, fields, scan);
  pending.set(path, prefetched);
  return prefetched;
}

/** The read begun for `file`, if any: the caller from here takes it or drops it. */
export function claimPrefetch(file: string): PrefetchedSnapshot | null {
  const path = resolve(file);
  const prefetched = pending.get(path) ?? null;
  pending.delete(path);
  return prefetched;
}
