/**
 * Authorization for /telephony/v1: which tenant a request belongs to. With `--auth jwt` (the default)
 * the bearer token is verified and names the tenant (org id, contact center). With `--auth off` no
 * token is needed and the Scv-Mock-Tenant header (org id/contact center) names the tenant, or the
 * default one is used.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors/api-error.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import { tenantOf, type Tenant } from '../tenancy/tenant.ts';
import { rememberedTenant, verifyToken, type TokenCheckOptions } from './jwt-verifier.ts';
import type { KeyRegistry } from './key-registry.ts';
import { merged } from '../object-merge.ts';

export type AuthMode = 'jwt' | 'off';
export const TENANT_HEADER = 'Scv-Mock-Tenant';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const PLAIN_PREFIX = 'Bearer ';

/**
 * The token of a bearer Authorization header. The header as connectors send it ("Bearer " and the
 * token) is sliced without a regular expression: the token is about 700 characters, and the match
 * and its copy were a tenth of what a request allocates.
 */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.startsWith(PLAIN_PREFIX) && header.length > PLAIN_PREFIX.length) {
    const token = header.slice(PLAIN_PREFIX.length);
    if (!/\s/.test(token)) return token;
  }
  return BEARER.exec(header)?.[1];
}
export const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="telephony"' };

/** The tenant an `--auth off` request names in Scv-Mock-Tenant: "<org id>/<contact center API name>". */
function tenantFromHeader(value: string, org: SimulatedOrg, keys: KeyRegistry): Tenant {
  const [orgId = '', callCenterApiName = ''] = value.split('/').map((part) => part.trim());
  const problem = !isSalesforceId(orgId, '00D')
    ? `"${orgId}" is not an org id (15 or 18 characters starting with 00D)`
    : !keys.acceptsOrg(orgId)
      ? `org ${orgId} is not an org this mock accepts (the simulated org is ${org.orgId})`
      : org.contactCenter(callCenterApiName) === undefined
        ? `"${callCenterApiName}" is not a contact center of the simulated org (known: ${org.contactCenters.map((c) => c.apiName).join(', ')})`
        : null;
  if (problem !== null) {
    throw new ApiError(400, 'INVALID_TENANT', [
      `${TENANT_HEADER} ${problem}. Send "${TENANT_HEADER}: <org id>/<contact center API name>".`,
    ]);
  }
  return tenantOf(orgId, callCenterApiName);
}

/** Refusals that a key registered on another replica may turn into an acceptance. */
const KEY_MISSES = new Set(['AUTH_UNKNOWN_ORG', 'AUTH_NO_KEY', 'AUTH_BAD_SIGNATURE']);

/**
 * Verifies the token; on replicas, a refusal for want of a key is checked again once the keys other
 * replicas registered are in.
 */
async function verifyAgainstSharedKeys(token: string, checks: TokenCheckOptions): Promise<Tenant> {
  try {
    return await verifyToken(token, checks);
  } catch (error) {
    if (!(error instanceof ApiError) || !KEY_MISSES.has(error.errorCode) || !checks.keys.shared) throw error;
    if (!(await checks.keys.refresh())) throw error;
    return verifyToken(token, checks);
  }
}

/**
 * Names the tenant of a request from its headers, or throws (or rejects with) the 400/401/403 that
 * says why it cannot. Synchronous when nothing needs waiting for: a token verified before, or a tenant
 * header (most requests then cost no promise).
 */
export type Authenticator = (headers: IncomingHttpHeaders) => Tenant | Promise<Tenant>;

const unauthorized = (errorCode: 'AUTH_MISSING' | 'AUTH_NOT_BEARER', message: string) =>
  new ApiError(401, errorCode, [message], {}, BEARER_CHALLENGE);

export function createAuthenticator(options: {
  mode: AuthMode;
  defaultTenant: Tenant;
  tokenChecks: TokenCheckOptions;
}): Authenticator {
  return (headers) => {
    if (options.mode === 'off') {
      const named = headers[TENANT_HEADER.toLowerCase()];
      return typeof named === 'string'
        ? tenantFromHeader(named, options.tokenChecks.org, options.tokenChecks.keys)
        : options.defaultTenant;
    }
    const header = headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) {
      if (header === undefined || header.trim() === '') {
        throw unauthorized(
          'AUTH_MISSING',
          'Missing Authorization header. Send "Authorization: Bearer <signed JWT>" (scv-mock token prints one), or start the mock with --auth off.',
        );
      }
      throw unauthorized(
        'AUTH_NOT_BEARER',
        `The Authorization header is not a bearer token (it starts with "${header.split(/\s/)[0]?.slice(0, 10) ?? ''}…"). Send "Authorization: Bearer <signed JWT>".`,
      );
    }
    return (
      rememberedTenant(token, options.tokenChecks) ??
      verifyAgainstSharedKeys(token, options.tokenChecks).catch(challenged)
    );
  };
}

/** A rejected token is a 401 too, and carries the challenge like the others. */
function challenged(error: unknown): never {
  if (error instanceof ApiError && error.status === 401) {
    throw new ApiError(401, error.errorCode, error.messages, error.extra, merged(error.headers, BEARER_CHALLENGE));
  }
  throw error;
}
