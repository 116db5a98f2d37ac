/**
 * Answers what node:http cannot parse or a client too slow to send its request in time: Node's own answer
 * is a bare status line, here it is the documented error body like every other error. A connection whose
 * answer has begun is closed instead, since nothing more can be written on it.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../errors/api-error.ts';

function errorFor(code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ApiError(408, 'REQUEST_TIMEOUT', [
      'The request was not received whole in time (--request-timeout). Send the headers and the whole body at once.',
    ]);
  if (code === 'HPE_HEADER_OVERFLOW')
    return new ApiError(431, 'INVALID_REQUEST', ['The request headers are too large. Send smaller headers.']);
  return new ApiError(400, 'INVALID_REQUEST', ['The request is not valid HTTP/1.1. Check what the client sends.']);
}

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { status, body } = errorFor(error.code);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
