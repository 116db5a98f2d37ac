/**
 * How exposed the admin API may be. On loopback (the default bind) it is open, as a local tool's is. A mock
 * reachable from other hosts is shared: it needs an admin token, or the operator's explicit
 * --unsafe-open-admin. Pure decisions, loaded with the server; the middleware that applies them is
 * admin-access.ts, loaded with the admin API.
 */
export const ADMIN_TOKEN_HEADER = 'Scv-Mock-Admin-Token';

/** How the admin API is exposed, decided once at start. */
export interface AdminAccess {
  /** The token every admin request must carry; null when none was given. */
  readonly token: string | null;
  /** The mock listens on an address other hosts can reach. */
  readonly shared: boolean;
}

/** A name or address that only this host reaches. `localhost` counts: it resolves to loopback by rule (RFC 6761). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** A peer address on this host (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return isLoopbackHost(address.replace(/^::ffff:/i, ''));
}

export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** The mock may not start exposed like this; the message says what to give instead. */
export class AdminExposureError extends Error {}

/**
 * Why this combination may not start, or null: a shared bind without a token or an explicit opt-out, or a
 * token too short to resist guessing. The message says what to give instead.
 */
export function adminExposureProblem(options: {
  host: string;
  adminToken?: string | undefined;
  unsafeOpenAdmin?: boolean | undefined;
}): string | null {
  const { host, adminToken } = options;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    return `the admin token has ${adminToken.length} characters; give at least ${MIN_ADMIN_TOKEN_LENGTH} (for example: openssl rand -hex 24)`;
  }
  if (isLoopbackHost(host) || adminToken !== undefined || options.unsafeOpenAdmin === true) return null;
  return (
    `host ${host} is reachable from other hosts, and the admin API lists keys and tenants, moves the clock every tenant's tokens are checked by, and hands out demo tokens. ` +
    'Give --admin-token TOKEN (or SCV_MOCK_ADMIN_TOKEN) so that only its holders can use it, ' +
    'or --unsafe-open-admin to expose it to anyone who can reach the port.'
  );
}
