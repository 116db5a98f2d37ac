/**
 * Records still held as the JSON lines they were read from (see IndexedCollection.putLine), as bytes in
 * the buffers the snapshot was read into, outside the JavaScript heap. As strings, the lines of a large
 * store were copied twice by the young-generation collector while it loaded (a quarter of the start on
 * 100,000 calls), and copying them into buffers of our own cost a fifth; these buffers are the reads'
 * own, so a line costs nothing but its number. That number packs the buffer's index, the line's offset
 * and its length. A buffer is let go once every line held in it has been read.
 */
/** Offsets and lengths take 22 bits each (buffers of up to 4 MB), and buffer indexes 9: 53 bits in all. */
const SPAN = 2 ** 22;
const MAX_SLABS = 2 ** 9;

export class LineSlabs {
  private readonly slabs: Array<Buffer | null> = [];
  /** Per buffer, how many of its lines are still held. */
  private readonly live: number[] = [];

  /** The largest buffer lines can be held in. */
  static readonly MAX_BUFFER_BYTES = SPAN;

  /**
   * Holds bytes[start, end) (ASCII: read back as Latin-1), which must not change afterwards; returns
   * the line's number, or null when the buffer is larger than MAX_BUFFER_BYTES or 2 GB are held (the
   * caller parses the line).
   */
  hold(bytes: Buffer, start: number, end: number): number | null {
    // A buffer of exactly 4 MB is one line cut across two reads: its length would not fit.
    if (bytes.length > SPAN || end - start >= SPAN) return null;
    let index = this.slabs.length - 1;
    if (index < 0 || this.slabs[index] !== bytes) {
      if (this.slabs.length === MAX_SLABS) return null;
      this.slabs.push(bytes);
      this.live.push(0);
      index += 1;
    }
    this.live[index]! += 1;
    return (index * SPAN + start) * SPAN + (end - start);
  }

  /** The line's text, which stays held. */
  text(line: number): string {
    const [slab, offset, length] = this.locate(line);
    return slab.toString('latin1', offset, offset + length);
  }

  /** The line is no longer held (it was parsed, or its record removed). */
  release(line: number): void {
    this.locate(line);
    const index = Math.floor(line / SPAN / SPAN);
    this.live[index]! -= 1;
    if (this.live[index] === 0) this.slabs[index] = null;
  }

  /** The line's length in bytes (its size as JSON). */
  length(line: number): number {
    return line % SPAN;
  }

  /** How many buffers are held (for tests). */
  get slabCount(): number {
    return this.slabs.filter((slab) => slab !== null).length;
  }

  private locate(line: number): [Buffer, number, number] {
    const length = line % SPAN;
    const position = Math.floor(line / SPAN);
    const slab = this.slabs[Math.floor(position / SPAN)];
    if (slab === undefined || slab === null) throw new RangeError(`no line ${line} is held`);
    return [slab, position % SPAN, length];
  }
}
