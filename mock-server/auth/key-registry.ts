/**
 * The public keys each contact center accepts tokens from: those of the org fixture (PEM public keys or
 * X.509 certificates, as the real setup stores a certificate on the CallCenter) and those registered at
 * runtime through POST /__admin/keys.
 */
import type { KeyShelf } from './shared-keys.ts';
import { StoreUnavailable } from '../store/store-unavailable.ts';
import { createHash, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { id15Of, isSalesforceId } from '../ids/salesforce-id.ts';
import { readFixtureKey } from '../org/fixture-key-files.ts';
import { OrgFixtureError, type SimulatedOrg } from '../org/simulated-org.ts';
import { merged } from '../object-merge.ts';

export interface RegisteredKey {
  /** RFC 7638 thumbprint of the public key: the same key always has the same id. */
  id: string;
  name: string;
  callCenterApiName: string;
  /** The org whose tokens it verifies; null for every org the fixture accepts. */
  orgId: string | null;
  kind: 'publicKey' | 'certificate';
  source: 'fixture' | 'admin';
  modulusLength: number;
  registeredAt: string;
  key: KeyObject;
}

/** A key that cannot be used; the message says why and what to send instead. */
export class KeyError extends Error {
  constructor(
    message: string,
    readonly code: 'INVALID_KEY' | 'UNKNOWN_CALL_CENTER' | 'TOO_MANY_KEYS' = 'INVALID_KEY',
  ) {
    super(message);
  }
}

const MAX_BITS = 4096;
const MIN_BITS = 1024;

/** Reads a PEM public key (SPKI or PKCS#1) or certificate into an RSA key the verifier can use. */
export function parsePublicKeyPem(pem: string): { key: KeyObject; kind: RegisteredKey['kind'] } {
  const text = pem.trim();
  if (/-----BEGIN (?:RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new KeyError(
      'This is a private key. Register the public key or the certificate; the private key stays with your connector.',
    );
  }
  let key: KeyObject;
  let kind: RegisteredKey['kind'];
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      key = new X509Certificate(text).publicKey;
      kind = 'certificate';
    } else if (/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(text)) {
      key = createPublicKey(text);
      kind = 'publicKey';
    } else {
      throw new KeyError(
        'Not a PEM public key or certificate: expected "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----".',
      );
    }
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError(`The PEM could not be read (${(error as Error).message}).`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    // An EC key (P-256, P-384) is a sound key, but it cannot check an RS256 signature, the only alg the API takes.
    throw new KeyError(
      `The key is ${key.asymmetricKeyType ?? 'not asymmetric'}${key.asymmetricKeyType === 'ec' ? ` (${String(key.asymmetricKeyDetails?.namedCurve)})` : ''}; tokens are signed RS256, which needs an RSA key (2048 or 4096 bits).`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS || bits > MAX_BITS)
    throw new KeyError(
      `The RSA key has ${bits} bits; Salesforce accepts 2048 or 4096 (1024 on pages before Winter '27).`,
    );
  // A large public exponent makes each signature check slow (seconds for a crafted key): a client that
  // registers one could block the mock. 65537 is what every RSA key generator uses.
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  if (exponent !== 65537n)
    throw new KeyError(
      `The RSA key has exponent ${String(exponent)}; the mock accepts the standard 65537 only. Generate a key with the default exponent (scv-mock keygen, openssl genpkey).`,
    );
  return { key, kind };
}

/**
 * What to tell whoever registers a key that works but that the current page no longer lists: the API
 * 67.0 page allowed 1024-bit keys, the Winter '27 (264.0) page says "2048 or 4096-bit".
 */
export function keyWarnings(modulusLength: number): string[] {
  return modulusLength < 2048
    ? [
        `The RSA key has ${modulusLength} bits. The Winter '27 Authorization page asks for 2048 or 4096 bits (the API 67.0 page also allowed 1024); the mock accepts it, the real service may not. Generate a 2048-bit key (scv-mock keygen).`,
      ]
    : [];
}

/** The RFC 7638 thumbprint of an RSA public key: SHA-256 of {"e","kty","n"} in that order, base64url. */
function thumbprint(key: KeyObject): string {
  const { e, n } = key.export({ format: 'jwk' });
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

export class KeyRegistry {
  private readonly keys: RegisteredKey[] = [];
  /** Replicas: where runtime keys are kept for the other replicas (null in one process). */
  private shelf: KeyShelf | null = null;

  /**
   * @param acceptAnyOrgId whether a key registered for no org in particular (the fixture's demo keys) verifies
   * tokens of any org id, each its own tenant; otherwise it verifies the simulated org's only, and another org
   * needs a key registered for it by org id.
   */
  constructor(
    private readonly org: SimulatedOrg,
    readonly acceptAnyOrgId: boolean = org.fixture.acceptAnyOrgId,
    readonly maxKeys: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The fixture's keys; a file or PEM that cannot be used stops the start with its path in the fixture. */
  static async fromOrg(
    org: SimulatedOrg,
    fixtureFile: string,
    options: { acceptAnyOrgId?: boolean; maxKeys?: number } = {},
  ): Promise<KeyRegistry> {
    const registry = new KeyRegistry(org, options.acceptAnyOrgId ?? org.fixture.acceptAnyOrgId, options.maxKeys);
    // Every key's problem at once, as the fixture's other problems are.
    const problems: string[] = [];
    for (const [i, center] of org.contactCenters.entries()) {
      for (const [j, ref] of center.keys.entries()) {
        const where = `contactCenters[${i}].keys[${j}]`;
        let pem: string;
        try {
          pem = readFixtureKey(ref, fixtureFile);
        } catch (error) {
          problems.push(`${where}: ${(error as Error).message}`);
          continue;
        }
        try {
          await registry.add(pem, {
            callCenterApiName: center.apiName,
            name: ref.name ?? `fixture key ${j + 1}`,
            orgId: null,
            source: 'fixture',
          });
        } catch (error) {
          if (!(error instanceof KeyError)) throw error;
          problems.push(`${where}: ${error.message}`);
        }
      }
    }
    if (problems.length > 0) {
      throw new OrgFixtureError(
        `${fixtureFile} has keys the mock cannot use:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    return registry;
  }

  /** Shares runtime keys with other replicas through the shelf, and takes the ones already there. */
  async share(shelf: KeyShelf): Promise<void> {
    this.shelf = shelf;
    await this.refresh();
  }

  /** Whether other processes share the runtime keys (a miss is then worth a refresh). */
  get shared(): boolean {
    return this.shelf !== null;
  }

  /** Takes the keys other replicas registered since the last look; true when there were any. */
  async refresh(): Promise<boolean> {
    if (this.shelf === null) return false;
    const before = this.keys.length;
    for (const key of await this.shelf.taken()) {
      const { pem, registeredAt, ...meta } = key;
      await this.add(pem, merged(meta, { source: 'admin' as const }), { shelved: true, registeredAt });
    }
    return this.keys.length > before;
  }

  /** Registers a key at runtime (POST /__admin/keys); on replicas, for all of them. */
  async register(
    pem: string,
    options: { callCenterApiName: string; name?: string; orgId?: string },
  ): Promise<RegisteredKey> {
    if (this.org.contactCenter(options.callCenterApiName) === undefined) {
      const known = this.org.contactCenters.map((c) => c.apiName).join(', ');
      throw new KeyError(
        `callCenterApiName "${options.callCenterApiName}" is not a contact center of the simulated org (known: ${known}).`,
        'UNKNOWN_CALL_CENTER',
      );
    }
    if (options.orgId !== undefined && !isSalesforceId(options.orgId, '00D')) {
      throw new KeyError(
        `orgId "${options.orgId}" is not an org id (15 or 18 characters starting with 00D). Leave it out to accept the key for every org.`,
      );
    }
    const meta = {
      callCenterApiName: options.callCenterApiName,
      name: options.name ?? 'registered key',
      orgId: options.orgId ?? null,
    };
    const count = this.keys.length;
    const registered = await this.add(pem, merged(meta, { source: 'admin' as const }));
    if (this.keys.length > count && this.shelf !== null) {
      try {
        await this.shelf.put({ pem, ...meta, registeredAt: registered.registeredAt });
      } catch (error) {
        // Registered on every replica or on none.
        this.keys.splice(this.keys.indexOf(registered), 1);
        throw new StoreUnavailable(`the key could not be shared with the other replicas: ${(error as Error).message}`);
      }
    }
    return registered;
  }

  /** `shelved`: a key another replica registered (it passed the limit there). */
  private async add(
    pem: string,
    meta: Pick<RegisteredKey, 'callCenterApiName' | 'name' | 'orgId' | 'source'>,
    { shelved = false, registeredAt = new Date().toISOString() } = {},
  ): Promise<RegisteredKey> {
    const { key, kind } = parsePublicKeyPem(pem);
    const id = thumbprint(key);
    const existing = this.keys.find(
      (k) => k.id === id && k.callCenterApiName === meta.callCenterApiName && k.orgId === meta.orgId,
    );
    if (existing !== undefined) return existing;
    if (meta.source === 'admin' && !shelved && this.registeredCount >= this.maxKeys) {
      throw new KeyError(
        `The mock already holds ${this.registeredCount} registered key${this.registeredCount === 1 ? '' : 's'}, its limit (--max-keys ${this.maxKeys}). ` +
          'Restart the mock to forget runtime keys, put lasting keys in the org fixture, or raise --max-keys.',
        'TOO_MANY_KEYS',
      );
    }
    const registered: RegisteredKey = merged(meta, {
      id,
      kind,
      key,
      modulusLength: key.asymmetricKeyDetails?.modulusLength ?? 0,
      registeredAt,
    });
    this.keys.push(registered);
    return registered;
  }

  /** Whether tokens (or, with --auth off, the tenant header) may name this org. */
  acceptsOrg(orgId: string): boolean {
    const id = id15Of(orgId);
    return (
      this.acceptAnyOrgId ||
      id === id15Of(this.org.orgId) ||
      this.keys.some((k) => k.orgId !== null && id15Of(k.orgId) === id)
    );
  }

  /** The keys that may have signed a token for this org and contact center. */
  keysFor(orgId: string, callCenterApiName: string): RegisteredKey[] {
    const id = id15Of(orgId);
    const forAnyOrg = this.acceptAnyOrgId || id === id15Of(this.org.orgId);
    return this.keys.filter(
      (k) => k.callCenterApiName === callCenterApiName && (k.orgId === null ? forAnyOrg : id15Of(k.orgId) === id),
    );
  }

  /** Keys registered at runtime (the fixture's are not counted against --max-keys). */
  get registeredCount(): number {
    return this.keys.filter((k) => k.source === 'admin').length;
  }

  list(): readonly RegisteredKey[] {
    return this.keys;
  }
}
