/**
 * Reads request bodies as JSON only (the docs claim XML too, but no client sends it): the bytes, up to
 * the size limit after decompression (gzip, deflate, br), then a non-empty body needs Content-Type
 * application/json and valid UTF-8 JSON. An empty body is no body, which endpoints without parameters
 * accept and the validator reports for the others. Every failure is an ApiError that says what to send.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '../errors/api-error.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const tooLarge = (limit: number) =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', [
    `The body is larger than the limit of ${limit} bytes. Send less, or start the mock with a larger --max-body.`,
  ]);

/** Thrown when the client went away before its body arrived: there is no one to answer. */
export class BodyAborted extends Error {}

/** The body's bytes (decompressed), or undefined when the request has none. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  if (declared === '0' || (declared === undefined && req.headers['transfer-encoding'] === undefined))
    return Promise.resolve(undefined);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let source: Readable = req;
  if (encoding !== 'identity') {
    const decoder = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
    if (decoder === undefined) {
      return Promise.reject(
        new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', [
          `The Content-Encoding "${encoding}" is not supported. Send the body uncompressed, or gzip-, deflate- or br-encoded.`,
        ]),
      );
    }
    source = req.pipe(decoder());
  } else if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.reject(tooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      req.pause();
      if (source !== req) req.unpipe();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) return fail(tooLarge(limitBytes));
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      if (source === req && declared !== undefined && Number(declared) !== size) {
        return fail(
          new ApiError(400, 'INVALID_JSON', ['The body is shorter or longer than its Content-Length header says.']),
        );
      }
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    source.on('error', (error: Error) =>
      fail(
        source === req
          ? new BodyAborted(error.message)
          : new ApiError(400, 'INVALID_JSON', [
              `The body could not be decompressed as its Content-Encoding says (${error.message}). Send it uncompressed, or encoded as the header says.`,
            ]),
      ),
    );
    if (source !== req) req.on('error', (error: Error) => fail(new BodyAborted(error.message)));
    req.on('aborted', () => fail(new BodyAborted('the client closed the connection')));
  });
}

/** The Content-Type headers clients send most; anything else is read in full by checkMediaType. */
const PLAIN_JSON_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
]);

/** Throws the 415 for a Content-Type that is not JSON, or JSON in another charset than UTF-8. */
function checkMediaType(contentType: string | undefined): void {
  const [mediaType = '', ...params] = (contentType ?? '').split(';').map((part) => part.trim());
  if (!JSON_TYPE.test(mediaType)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', [
      `Content-Type ${contentType === undefined ? 'is missing' : `"${contentType}" is not supported`}. The mock accepts JSON only: send Content-Type: application/json.`,
    ]);
  }
  const charset = params
    .find((p) => p.toLowerCase().startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '')
    .toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', [
      `charset "${charset}" is not supported. Send the JSON body as UTF-8.`,
    ]);
  }
}

/** A parsed JSON body and the text it was parsed from (the journal keeps the text, not the value written again). */
export interface JsonBody {
  value: unknown;
  text: string;
}

/** A request body's JSON value and text (undefined for no body), or the 415/400 that says what is wrong with it. */
export function readJsonBody(buffer: Buffer | undefined, contentType: string | undefined): JsonBody | undefined {
  if (buffer === undefined || buffer.length === 0) return undefined;
  if (contentType === undefined || !PLAIN_JSON_TYPES.has(contentType)) checkMediaType(contentType);
  // isUtf8 checks natively, then toString decodes without the streaming decoder's checks (twice as fast).
  if (!isUtf8(buffer)) {
    throw new ApiError(400, 'INVALID_JSON', ['The body is not valid UTF-8. Send the JSON body encoded as UTF-8.']);
  }
  const text = buffer.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch (error) {
    // Only whitespace is no body, like an empty one; asked only when parsing fails.
    if (text.trim() === '') return undefined;
    throw new ApiError(400, 'INVALID_JSON', [`The body is not valid JSON: ${(error as Error).message}.`]);
  }
}

/** The JSON value of a request body (undefined for no body), or the 415/400 that says what is wrong with it. */
export const parseJsonBody = (buffer: Buffer | undefined, contentType: string | undefined): unknown =>
  readJsonBody(buffer, contentType)?.value;
