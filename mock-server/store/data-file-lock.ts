/**
 * One writer per data file: a lock file next to it (<file>.lock) with the holder's process id. A second
 * process refuses to start on the same file, saying which process holds it; a lock left by a process
 * that is gone (killed) is taken over. Two stores of one process share its pid: the later one takes
 * over, as a restart in a test does.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** Another live process holds the data file. */
export class DataFileInUseError extends Error {}

interface LockContent {
  pid: number;
  since: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readLock(lockFile: string): LockContent | null {
  try {
    const content = JSON.parse(readFileSync(lockFile, 'utf8')) as Partial<LockContent>;
    return typeof content.pid === 'number' ? { pid: content.pid, since: String(content.since) } : null;
  } catch {
    return null;
  }
}

export class DataFileLock {
  private constructor(private readonly lockFile: string) {}

  static acquire(dataFile: string): DataFileLock {
    const lockFile = `${dataFile}.lock`;
    const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
    try {
      writeFileSync(lockFile, content, { flag: 'wx' });
      return new DataFileLock(lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(lockFile);
    if (holder !== null && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataFileInUseError(
        `${dataFile} is in use by another mock (process ${holder.pid}, since ${holder.since}). Two processes on one ` +
          'data file would overwrite each other. Stop that one, or start this one with another --data file or ' +
          `--in-memory. If no mock is running, delete ${lockFile}.`,
      );
    }
    // Gone (killed), or an earlier store of this process: take the lock over.
    writeFileSync(lockFile, content);
    return new DataFileLock(lockFile);
  }

  /** Removes the lock, unless another store (of this process) has taken it over since. */
  release(): void {
    if (readLock(this.lockFile)?.pid !== process.pid) return;
    try {
      unlinkSync(this.lockFile);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
