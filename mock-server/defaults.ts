/** The server's defaults, in a module of their own so that `--help` can print them without loading the server. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 6324,
  dataFile: '.scv-mock/store.json',
  mode: 'strict',
  auth: 'jwt',
  maxBodyBytes: 1024 * 1024,
  clockSkewSeconds: 60,
  journalSize: 10_000,
  maxCallsPerTenant: 250_000,
  maxKeys: 100,
  maxConnections: 1000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
} as const;
