/**
 * Reads request bodies as JSON only (the docs claim XML too, but no client sends it): a non-empty body
 * needs Content-Type application/json and valid UTF-8 JSON. An empty body is no body, which endpoints
 * without parameters accept and the validator reports for the others.
 */
import express, { type RequestHandler } from 'express';
import { ApiError } from '../domain/operation-context.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON value of a request body, or the 415/400 that says what is wrong with it. */
export function parseJsonBody(buffer: Buffer, contentType: string | undefined): unknown {
  const [mediaType = '', ...params] = (contentType ?? '').split(';').map((part) => part.trim());
  if (!JSON_TYPE.test(mediaType)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', [
      `Content-Type ${contentType === undefined ? 'is missing' : `"${contentType}" is not supported`}. The mock accepts JSON only: send Content-Type: application/json.`,
    ]);
  }
  const charset = params.find((p) => p.toLowerCase().startsWith('charset='))?.slice(8).replace(/"/g, '').toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', [`charset "${charset}" is not supported. Send the JSON body as UTF-8.`]);
  }
  let text: string;
  try {
    text = utf8.decode(buffer);
  } catch {
    throw new ApiError(400, 'INVALID_JSON', ['The body is not valid UTF-8. Send the JSON body encoded as UTF-8.']);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, 'INVALID_JSON', [`The body is not valid JSON: ${(error as Error).message}.`]);
  }
}

const tooLarge = (limit: number) => Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit });

/**
 * Reads a plain (not content-encoded) body into a Buffer. body-parser does the same with more general
 * machinery that showed in the benchmark; encoded bodies still go to it, for decompression.
 */
function plainBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) return next(tooLarge(limitBytes));
    if (declared === '0' || (declared === undefined && req.headers['transfer-encoding'] === undefined)) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        req.pause();
        next(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      if (declared !== undefined && Number(declared) !== size) {
        failed = true;
        return next(Object.assign(new Error('request size did not match content length'), { type: 'request.size.invalid' }));
      }
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      next();
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        next(error);
      }
    });
  };
}

export function jsonBody(limitBytes: number): RequestHandler[] {
  const decoding = express.raw({ type: () => true, limit: limitBytes });
  const plain = plainBody(limitBytes);
  return [
    (req, res, next) => {
      const encoding = req.headers['content-encoding'];
      return encoding === undefined || encoding.toLowerCase() === 'identity' ? plain(req, res, next) : decoding(req, res, next);
    },
    (req, _res, next) => {
      const raw: unknown = req.body;
      req.body = Buffer.isBuffer(raw) && raw.length > 0 ? parseJsonBody(raw, req.headers['content-type']) : undefined;
      next();
    },
  ];
}
