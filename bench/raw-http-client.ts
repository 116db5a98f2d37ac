/**
 * The load generator's HTTP/1.1 client: keep-alive sockets that each carry one request at a time, with
 * the request's bytes written in one call and the answer read with as little work as its framing
 * allows (status line, Content-Length or chunked). On a two-core machine the generator shares the CPU
 * with the server it measures; node:http's client cost several times more per request, and its own
 * pauses showed in the figures: a bare node:http server's p99 at 1,000 req/s was 4.5–10 ms through it
 * and 2–3 ms through this (bench/paced-load.ts reports how late the generator itself sent).
 */
import { connect, type Socket } from 'node:net';

export interface Answer {
  /** The HTTP status, or 0 when the connection failed or closed before a whole answer. */
  status: number;
}

/** Where an answer's head ends and how long its body is, once the head is whole. */
type Framing = { bodyStart: number; length: number } | { bodyStart: number; chunked: true } | { bodyStart: number };

function framingOf(head: string, bodyStart: number): Framing {
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (length !== null) return { bodyStart, length: Number(length[1]) };
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) return { bodyStart, chunked: true };
  // Neither: the body runs to the end of the connection.
  return { bodyStart };
}

/** Where a chunked body ends in `text` (after its trailer), or -1 while it is not all there. */
function chunkedEnd(text: string, from: number): number {
  let at = from;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return -1;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('a chunk size that is not hexadecimal');
    if (size === 0) {
      const trailerEnd = text.indexOf('\r\n\r\n', lineEnd);
      if (text.startsWith('\r\n', lineEnd + 2)) return lineEnd + 4;
      return trailerEnd < 0 ? -1 : trailerEnd + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > text.length) return -1;
  }
}

/** One keep-alive connection; `send` may be called again once the previous answer has arrived. */
export class RawConnection {
  private readonly socket: Socket;
  private received = '';
  private framing: Framing | null = null;
  private waiting: ((answer: Answer) => void) | null = null;
  /** False once the connection has closed or failed: it takes no more requests. */
  open = true;
  /** When the last request went out on it (performance.now()). */
  lastSent = 0;

  constructor(port: number, host: string) {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    // Latin-1 maps each byte to one character, so lengths in characters are lengths in bytes.
    this.socket.setEncoding('latin1');
    this.socket.on('data', (data: string) => this.read(data));
    this.socket.on('error', () => this.end());
    this.socket.on('close', () => this.end());
  }

  /** Writes the whole request (head and body, as Latin-1 bytes); resolves with its answer. */
  send(request: string, onAnswer: (answer: Answer) => void): void {
    if (!this.open) {
      onAnswer({ status: 0 });
      return;
    }
    this.waiting = onAnswer;
    this.lastSent = performance.now();
    this.socket.write(request, 'latin1');
  }

  close(): void {
    this.socket.destroy();
  }

  private read(data: string): void {
    this.received += data;
    if (this.framing === null) {
      const headEnd = this.received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      this.framing = framingOf(this.received.slice(0, headEnd), headEnd + 4);
    }
    const framing = this.framing;
    let end: number;
    if ('length' in framing) end = framing.bodyStart + framing.length;
    else if ('chunked' in framing) end = chunkedEnd(this.received, framing.bodyStart);
    else return; // until the connection closes
    if (end < 0 || this.received.length < end) return;
    const status = Number(this.received.slice(9, 12));
    // The server closes after this answer: the connection must not take the next request.
    if (/\r\nconnection:[ \t]*close/i.test(this.received.slice(0, framing.bodyStart))) {
      this.open = false;
      this.socket.end();
    }
    this.received = this.received.slice(end);
    this.framing = null;
    this.answer({ status: Number.isInteger(status) ? status : 0 });
  }

  private end(): void {
    if (!this.open && this.waiting === null) return;
    this.open = false;
    // A body that runs to the close is whole now; anything else was cut short.
    const whole = this.framing !== null && !('length' in this.framing) && !('chunked' in this.framing);
    this.answer({ status: whole ? Number(this.received.slice(9, 12)) : 0 });
  }

  private answer(answer: Answer): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(answer);
  }
}
