/**
 * /__admin/keys: register a connector's public key or certificate for a contact center at runtime,
 * and list the registered keys. The body is JSON ({callCenterApiName, publicKey | certificate}) or the
 * PEM itself (Content-Type application/x-pem-file, callCenterApiName in the query), so curl can send a
 * file as it is. No bearer token is needed (the key is what tokens will be checked against); from another
 * host the admin token is (see admin-access.ts).
 */
import { Router, type Request } from 'express';
import {
  registerKeyRequestSchema,
  type KeyList,
  type RegisterKeyRequest,
  type RegisteredKeyInfo,
} from '../../contracts/admin-schemas.ts';
import { KeyError, keyWarnings, type KeyRegistry, type RegisteredKey } from '../auth/key-registry.ts';
import { ApiError } from '../errors/api-error.ts';
import { sendError } from '../http/error-responses.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { rawBody } from './admin-http.ts';
import { keyRegistrationGuard } from './admin-access.ts';
import type { AdminAccess } from './admin-exposure.ts';
import { zodError } from './zod-errors.ts';

const PEM_TYPES = /^(application\/x-pem-file|application\/pkix-cert|text\/plain)\b/i;

function info(key: RegisteredKey): RegisteredKeyInfo {
  return {
    id: key.id,
    name: key.name,
    callCenterApiName: key.callCenterApiName,
    orgId: key.orgId,
    kind: key.kind,
    source: key.source,
    modulusLength: key.modulusLength,
    registeredAt: key.registeredAt,
    warnings: keyWarnings(key.modulusLength),
  };
}

/** The registration a request asks for, from a JSON body or a PEM body with query parameters. */
function registrationOf(req: Request): { pem: string; callCenterApiName: string; name?: string; orgId?: string } {
  const raw: unknown = req.body;
  const body = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && PEM_TYPES.test(contentType)) {
    const query = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : undefined);
    const callCenterApiName = query('callCenterApiName');
    if (callCenterApiName === undefined) {
      throw ApiError.details(400, 'INVALID_REQUEST', [
        { field: 'callCenterApiName', problem: 'is required as a query parameter when the body is a PEM file' },
      ]);
    }
    const name = query('name');
    const orgId = query('orgId');
    return {
      pem: body.toString('utf8'),
      callCenterApiName,
      ...(name === undefined ? {} : { name }),
      ...(orgId === undefined ? {} : { orgId }),
    };
  }
  const parsed = registerKeyRequestSchema.safeParse(parseJsonBody(body, contentType));
  if (!parsed.success) throw zodError(parsed.error);
  const request: RegisterKeyRequest = parsed.data;
  return {
    pem: (request.publicKey ?? request.certificate)!,
    callCenterApiName: request.callCenterApiName,
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.orgId === undefined ? {} : { orgId: request.orgId }),
  };
}

export function keyAdmin(keys: KeyRegistry, maxBodyBytes: number, access: AdminAccess): Router {
  const router = Router();
  router.get('/keys', (_req, res, next) => {
    // Replicas: with the keys registered on the others.
    keys.refresh().then(() => {
      const body: KeyList = { keys: keys.list().map(info) };
      res.json(body);
    }, next);
  });
  router.post('/keys', keyRegistrationGuard(access), rawBody(maxBodyBytes), async (req, res) => {
    try {
      const { pem, ...options } = registrationOf(req);
      const registered = await keys.register(pem, options);
      res.status(201).json(info(registered));
    } catch (error) {
      if (error instanceof KeyError)
        return sendError(res, new ApiError(error.code === 'TOO_MANY_KEYS' ? 429 : 400, error.code, [error.message]));
      if (error instanceof ApiError) return sendError(res, error);
      throw error;
    }
  });
  return router;
}
