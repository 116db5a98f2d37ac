/**
 * Signs tokens the way a connector does: RS256, iss = org id, sub = contact center API name, iat, exp,
 * optional jti and aud. `scv-mock token` and the test harness use it.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { packageFile } from '../package-files.ts';

export const DEMO_PRIVATE_KEY_FILE = packageFile('fixtures/keys/demo-private-key.pem');
export { SCRT_AUDIENCE } from './jwt-claims.ts';

export interface TokenOptions {
  /** PEM private key (PKCS#8 or PKCS#1); the demo key when omitted. */
  privateKeyPem?: string;
  orgId: string;
  callCenterApiName: string;
  /** Lifetime in seconds (default 4 hours, as the demo connector). */
  ttlSeconds?: number;
  /** Epoch seconds; override to test clocks. */
  issuedAt?: number;
  expiresAt?: number;
  /** true: a random UUID. */
  jti?: string | true;
  audience?: string;
}

let demoKey: string | undefined;
export function demoPrivateKeyPem(): string {
  demoKey ??= readFileSync(DEMO_PRIVATE_KEY_FILE, 'utf8');
  return demoKey;
}

export async function signToken(options: TokenOptions): Promise<string> {
  const key = createPrivateKey(options.privateKeyPem ?? demoPrivateKeyPem());
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(options.orgId)
    .setSubject(options.callCenterApiName)
    .setIssuedAt(issuedAt)
    .setExpirationTime(options.expiresAt ?? issuedAt + (options.ttlSeconds ?? 4 * 3600));
  if (options.jti !== undefined) jwt.setJti(options.jti === true ? randomUUID() : options.jti);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(key);
}
