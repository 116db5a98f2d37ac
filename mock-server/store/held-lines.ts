/**
 * Records still held as the JSON lines they were read from (see IndexedCollection.putLine), as places in
 * the snapshot file the store was opened from, read back from that file when asked for. Holding the
 * lines' bytes in memory instead cost more than the rest of a large start: every read of a 4 MB chunk
 * needed fresh pages, and faulting in 170 MB of them took 0.6 s of the 100,000-call start on the
 * reference machine, where reading the file through two reused buffers takes 0.09 s.
 *
 * The file stays open while a line is held, so the store's next snapshot, written to a new file renamed
 * over this one, does not change what the lines read: the old file's bytes stay on disk until the last
 * held line is read or the store closes. A line is named by a number that packs its position in the
 * file and its length.
 */
import { closeSync, readSync } from 'node:fs';
import { StoreUnavailable } from './store-unavailable.ts';

/** Lengths take 22 bits (lines under 4 MB) and positions 31 (the first 2 GB of a file): 53 bits in all. */
const SPAN = 2 ** 22;
const MAX_POSITION = 2 ** 31;
/** Read at once around a line, so that lines read in file order (a snapshot being written) share reads. */
const WINDOW_BYTES = 64 * 1024;

export class HeldLines {
  private fd: number | null = null;
  private file = '';
  /** How many lines are held. */
  private live = 0;
  /** Set while the file is still being read: a count of zero then does not close it. */
  private reading = false;
  private window = Buffer.allocUnsafeSlow(0);
  private windowAt = 0;
  private windowBytes = 0;

  /** The longest line that can be held. */
  static readonly MAX_LINE_BYTES = SPAN - 1;

  /**
   * Lines are read from `fd` (the snapshot `file`, open for reading) from now on, until `finishReading`;
   * this object closes it.
   */
  readFrom(fd: number, file: string): void {
    this.close();
    this.fd = fd;
    this.file = file;
    this.reading = true;
  }

  /** The file has been read: it is closed now if no line of it is held. */
  finishReading(): void {
    this.reading = false;
    if (this.live === 0) this.close();
  }

  /**
   * Holds the line of `length` bytes (ASCII: read back as Latin-1) at `position` in the file; returns its
   * number, or null when it is too long or too far into the file to be numbered (the caller parses it).
   */
  hold(position: number, length: number): number | null {
    if (this.fd === null) throw new Error('no file to hold lines of');
    if (length > HeldLines.MAX_LINE_BYTES || position + length >= MAX_POSITION) return null;
    this.live += 1;
    return position * SPAN + length;
  }

  /** The line's text, which stays held. Throws StoreUnavailable when the file no longer holds it. */
  text(line: number): string {
    const length = line % SPAN;
    const position = Math.floor(line / SPAN);
    if (this.fd === null) throw new RangeError(`no line ${line} is held`);
    if (position < this.windowAt || position + length > this.windowAt + this.windowBytes) {
      const size = Math.max(WINDOW_BYTES, length);
      if (this.window.length < size) this.window = Buffer.allocUnsafeSlow(size);
      this.windowAt = position;
      this.windowBytes = 0;
      try {
        this.windowBytes = readSync(this.fd, this.window, 0, size, position);
      } catch (error) {
        throw new StoreUnavailable(`${this.file} could not be read: ${(error as Error).message}`);
      }
    }
    const start = position - this.windowAt;
    const end = start + length;
    // Every held line is a JSON object: anything else means the file was changed in place, under the store.
    if (end > this.windowBytes || this.window[start] !== 123 || this.window[end - 1] !== 125) {
      throw new StoreUnavailable(
        `${this.file} was changed while the mock was running (a record it had not read yet is no longer ` +
          'where it was): stop the mock, restore or delete the file, and start it again',
      );
    }
    return this.window.toString('latin1', start, end);
  }

  /** The line is no longer held (it was parsed, or its record removed). */
  release(line: number): void {
    if (this.fd === null) throw new RangeError(`no line ${line} is held`);
    this.live -= 1;
    if (this.live === 0 && !this.reading) this.close();
  }

  /** The line's length in bytes (its size as JSON). */
  length(line: number): number {
    return line % SPAN;
  }

  /** Whether the file is open (for tests). */
  get open(): boolean {
    return this.fd !== null;
  }

  /** Forgets every held line and closes the file. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.live = 0;
    this.reading = false;
    this.windowBytes = 0;
  }
}
