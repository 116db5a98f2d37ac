/**
 * Verifies a connector's bearer token the way the Telephony Integration API describes it: a compact JWS
 * signed RS256 with a key registered for the contact center; iss = org id, sub = contact center API
 * name; exp in the future and at most 24 hours after iat; iat not in the future; aud, when present,
 * https://scrt.salesforce.com; a jti, when present, never seen before. Each failure has its own
 * errorCode and a message that says what to fix. The token's tenant is (org id, contact center).
 */
import { verify } from 'node:crypto';

import type { ErrorCode } from '../../contracts/wire-schemas.ts';
import { ApiError } from '../errors/api-error.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';
import { tenantOf, type Tenant } from '../tenancy/tenant.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import type { JtiMemory } from './jti-cache.ts';
import type { KeyRegistry } from './key-registry.ts';

/** The audience the Lambdas send (the v67 claim list has none); any other aud is refused. */
import { MAX_LIFETIME_SECONDS, SCRT_AUDIENCE } from './jwt-claims.ts';

export { SCRT_AUDIENCE };

/** The registered claims the checks read; a token may carry others. */
interface Claims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  iat?: unknown;
  nbf?: unknown;
  jti?: unknown;
}

const jsonPart = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

export interface TokenCheckOptions {
  org: SimulatedOrg;
  keys: KeyRegistry;
  jtis: JtiMemory;
  clockSkewSeconds: number;
  now: () => Date;
  /** Tokens verified before; without it every request is verified in full. */
  verified?: VerifiedTokens;
}

const reject = (errorCode: ErrorCode, message: string): ApiError => new ApiError(401, errorCode, [message]);

function decode(token: string): { alg: unknown; crit: unknown; claims: Claims } {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw reject(
      'AUTH_MALFORMED',
      'The bearer token is not a JWT: expected three base64url parts separated by dots (header.payload.signature).',
    );
  }
  // Decoding only: the signature is checked before any claim is trusted.
  let header: unknown;
  let claims: unknown;
  try {
    header = jsonPart(parts[0]!);
    claims = jsonPart(parts[1]!);
  } catch (error) {
    throw reject(
      'AUTH_MALFORMED',
      `The bearer token is not a readable JWT (${(error as Error).message}). Sign it as a compact JWS with RS256.`,
    );
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    typeof claims !== 'object' ||
    claims === null ||
    Array.isArray(claims)
  ) {
    throw reject(
      'AUTH_MALFORMED',
      "The bearer token's header and payload must be JSON objects. Sign it as a compact JWS with RS256.",
    );
  }
  return { alg: (header as { alg?: unknown }).alg, crit: (header as { crit?: unknown }).crit, claims: claims };
}

/**
 * RS256 is RSASSA-PKCS1-v1_5 with SHA-256 over "header.payload". Node's synchronous crypto.verify does
 * it without the promise and thread-pool round trip of WebCrypto, which showed in the benchmark.
 */
function verifySignature(token: string, candidates: ReturnType<KeyRegistry['keysFor']>): boolean {
  const lastDot = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, lastDot), 'ascii');
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
  return candidates.some((candidate) => verify('RSA-SHA256', signingInput, candidate.key, signature));
}

/**
 * Tokens already verified, for reuse: connectors sign one token and send it for hours. Only tokens
 * without a jti are remembered (a jti must be checked for replay each time); a remembered token is
 * still refused once it expires. Bounded: when full it starts over.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, { tenant: Tenant; exp: number }>();

  constructor(private readonly limit = 10_000) {}

  get(token: string, now: number, skew: number): Tenant | undefined {
    const known = this.tokens.get(token);
    if (known === undefined) return undefined;
    if (known.exp <= now - skew) {
      this.tokens.delete(token);
      return undefined;
    }
    return known.tenant;
  }

  remember(token: string, tenant: Tenant, exp: number): void {
    if (this.tokens.size >= this.limit) this.tokens.clear();
    this.tokens.set(token, { tenant, exp });
  }
}

/** A token verified before and still valid: its tenant, at once (most requests). */
export function rememberedTenant(token: string, options: TokenCheckOptions): Tenant | undefined {
  const now = Math.floor(options.now().getTime() / 1000);
  return options.verified?.get(token, now, options.clockSkewSeconds);
}

/** Resolves to the token's tenant, or throws the 401 that says which check failed. */
export async function verifyToken(token: string, options: TokenCheckOptions): Promise<Tenant> {
  const remembered = rememberedTenant(token, options);
  if (remembered !== undefined) return remembered;
  const { org } = options;
  const now = Math.floor(options.now().getTime() / 1000);
  const { alg, crit, claims } = decode(token);
  // RFC 7515: a crit header names extensions the recipient must understand, or refuse the token.
  if (crit !== undefined) {
    throw reject(
      'AUTH_MALFORMED',
      `The token's header has crit ${JSON.stringify(crit)}: extensions the API does not support. Leave crit out of the header.`,
    );
  }
  if (alg !== 'RS256') {
    throw reject(
      'AUTH_ALG_NOT_ALLOWED',
      `The token is signed with alg ${JSON.stringify(alg)}; only RS256 is accepted. Sign it with your RSA private key using RS256.`,
    );
  }
  const { iss, sub } = claims;
  if (typeof iss !== 'string')
    throw reject('AUTH_CLAIM_MISSING', 'The token has no iss claim. Set iss to your Salesforce org id.');
  if (typeof sub !== 'string')
    throw reject('AUTH_CLAIM_MISSING', 'The token has no sub claim. Set sub to the API name of your contact center.');
  if (typeof claims.exp !== 'number')
    throw reject(
      'AUTH_CLAIM_MISSING',
      'The token has no exp claim. Set exp (epoch seconds), at most 24 hours after iat.',
    );
  for (const name of ['iat', 'nbf'] as const) {
    if (name in claims && typeof claims[name] !== 'number') {
      throw reject(
        'AUTH_MALFORMED',
        `The token's ${name} is ${JSON.stringify(claims[name])}, not a number. Set ${name} to epoch seconds, or leave it out.`,
      );
    }
  }
  if (!isSalesforceId(iss, '00D')) {
    throw reject(
      'AUTH_UNKNOWN_ORG',
      `iss "${iss}" is not a Salesforce org id. Set iss to your org id: 15 or 18 characters starting with 00D.`,
    );
  }
  if (!options.keys.acceptsOrg(iss)) {
    throw reject(
      'AUTH_UNKNOWN_ORG',
      `iss "${iss}" is not an org this mock accepts: the simulated org (${org.orgId}) or an org a key is registered for. ` +
        'Use that org id, register your key with your orgId (POST /__admin/keys), or ask the operator for --accept-any-org-id.',
    );
  }
  if (org.contactCenter(sub) === undefined) {
    const known = org.contactCenters.map((c) => c.apiName).join(', ');
    throw reject(
      'AUTH_UNKNOWN_CONTACT_CENTER',
      `sub "${sub}" is not a contact center of the simulated org (known: ${known}). Set sub to the contact center's API name.`,
    );
  }
  const candidates = options.keys.keysFor(iss, sub);
  if (candidates.length === 0) {
    throw reject(
      'AUTH_NO_KEY',
      `No key is registered for contact center ${sub} that signs for org ${iss}. Register your public key or certificate (POST /__admin/keys, or "keys" in the org fixture).`,
    );
  }
  if (!verifySignature(token, candidates)) {
    throw reject(
      'AUTH_BAD_SIGNATURE',
      `The token's signature does not match any key registered for contact center ${sub} that signs for org ${iss}. Sign with the private key whose public key or certificate is registered there.`,
    );
  }

  const skew = options.clockSkewSeconds;
  if (claims.exp <= now - skew) {
    throw reject(
      'AUTH_EXPIRED',
      `The token expired at ${new Date(claims.exp * 1000).toISOString()}. Sign a new token for each request or before the old one expires.`,
    );
  }
  const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
  if (iat !== undefined && iat > now + skew) {
    throw reject(
      'AUTH_ISSUED_IN_FUTURE',
      `The token's iat (${new Date(iat * 1000).toISOString()}) is in the future. Check the connector's clock.`,
    );
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now + skew) {
    throw reject(
      'AUTH_ISSUED_IN_FUTURE',
      `The token is not valid before ${new Date(claims.nbf * 1000).toISOString()}. Check the connector's clock.`,
    );
  }
  if (claims.exp - (iat ?? now) > MAX_LIFETIME_SECONDS + (iat === undefined ? skew : 0)) {
    throw reject(
      'AUTH_LIFETIME_TOO_LONG',
      `The token is valid for ${claims.exp - (iat ?? now)} s; exp may be at most 24 hours (86400 s) after iat.`,
    );
  }
  if (claims.aud !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(SCRT_AUDIENCE)) {
      throw reject(
        'AUTH_BAD_AUDIENCE',
        `aud ${JSON.stringify(claims.aud)} is not ${SCRT_AUDIENCE}. Leave aud out or set it to ${SCRT_AUDIENCE}.`,
      );
    }
  }
  const tenant = tenantOf(iss, sub);
  if (claims.jti !== undefined) {
    // Any JSON value is a jti (a number as well as a string); it stays used for as long as the token
    // would still be accepted, the skew after exp included.
    if (!(await options.jtis.remember(tenant.orgId, JSON.stringify(claims.jti), claims.exp + skew, now))) {
      throw reject(
        'AUTH_REPLAYED_JTI',
        `jti ${JSON.stringify(claims.jti)} was already used. Give every token a new jti (e.g. a UUID), or leave jti out.`,
      );
    }
  } else {
    options.verified?.remember(token, tenant, claims.exp);
  }
  return tenant;
}
