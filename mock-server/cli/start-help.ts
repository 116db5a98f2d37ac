/** `scv-mock start --help`, apart from the options parser so that printing it loads nothing else. */
import { DEFAULTS } from '../defaults.ts';

export const START_HELP = `Usage: scv-mock start [options]

Starts the Service Cloud Voice Telephony Integration REST API mock.
Every option can also be set in the environment as SCV_MOCK_<NAME>: --max-body is SCV_MOCK_MAX_BODY,
--quiet is SCV_MOCK_QUIET=1, --rule takes a comma-separated list. A flag wins over its variable.

Options:
  -p, --port <port>         Port to listen on (default ${DEFAULTS.port}; 0 picks a free one)
      --host <address>      Address to listen on (default ${DEFAULTS.host}, loopback only); any
                            other address shares the mock: give --admin-token or --unsafe-open-admin
      --data <file>         Store snapshot file, its log next to it (default ${DEFAULTS.dataFile})
      --in-memory           Keep everything in memory; nothing is written to disk
      --store <url>         Keep the store in PostgreSQL instead: postgres://user:pass@host/db (the
                            mock creates its tables); replicas with the same URL share the store
      --fixtures <file>     Simulated org to load (default: fixtures/default-org.json)
      --mode <mode>         strict: rules at level refuse answer 409 or 400 (default)
                            lenient: let them through, recorded as violations (verify still fails)
      --rule <ID=level>     Set a rule's level: refuse, warn or off (repeatable; GET /__admin/rules
                            lists the rules, their evidence and default levels)
      --rules-file <file>   Rule levels from JSON: {"rules": {"RULE_ID": "refuse|warn|off"}}
                            (--rule wins over the file, the file over the org fixture's "rules")
      --faults <file>       Fault rules from the start, as JSON: {"faults": [rule, …]}, each rule as
                            POST /__admin/faults takes it (plus orgId, callCenterApiName)
      --allow-prefer        Honour "Prefer: code=503" and "Prefer: delay=2000" on API requests
      --auth <jwt|off>      jwt: verify the RS256 bearer token of every request (default)
                            off: no token needed; the Scv-Mock-Tenant header names the tenant
      --clock-skew <secs>   Leeway for a token's iat and exp (default ${DEFAULTS.clockSkewSeconds})
      --seed <text>         Make record ids deterministic (same seed and requests, same ids)
      --max-body <size>     Largest accepted body, e.g. 512kb or 2mb (default 1mb)
      --journal-size <n>    Requests the journal keeps per tenant (default ${DEFAULTS.journalSize}; 0 = off)
      --calls-per-second <n>
                            Refuse an org's creates over n per second with 429 and Retry-After
                            (Salesforce's documented org limit is 50; default: no limit)
      --compact-after <size>
                            Fold the store's log into its snapshot at this size (default 64mb)
      --move-corrupt-store  If the store files cannot be read, move them aside and start empty
      --log-format <fmt>    text (default) or json (the start is one line: event "listening", url)
      --ready-file <file>   Once listening, write the base URL to this file (it appears whole, and
                            is removed at shutdown): start in the background, wait for the file
  -q, --quiet               Do not log each request
  -h, --help                Show this help

Sharing and limits (README: "Running a shared sandbox safely"):
      --admin-token <token> Every /__admin request but health and the pages must send it as
                            Scv-Mock-Admin-Token (16 characters or more: openssl rand -hex 24)
      --unsafe-open-admin   Share the mock without an admin token: anyone who reaches the port can
                            list keys and tenants, move the clock and use the demo tenant (other
                            tenants still need their own token; keys register from this host only)
      --accept-any-org-id   Accept the fixture's keys for any org id on a shared host too (each org
                            its own tenant); shared, an org needs a key registered for its org id
      --max-keys <n>        Keys POST /__admin/keys may register (default ${DEFAULTS.maxKeys})
      --max-tenants <n>     Tenants (org id and contact center) served; a new one past it gets 429
                            (default ${DEFAULTS.maxTenants})
      --max-calls-per-tenant <n>
                            Calls a tenant may store before creates answer 429 (default ${DEFAULTS.maxCallsPerTenant})
      --max-tenant-bytes <size>
                            Records one tenant may store, as JSON (default 256mb); past it 429
      --max-store-bytes <size>
                            Records all tenants together may store (default 1gb)
      --max-transcripts-per-call <n>, --max-events-per-call <n>
                            Per conversation (default ${DEFAULTS.maxTranscriptsPerCall} each); past it 429 CALL_FULL
      --max-jtis <n>        Token ids remembered against replay (default ${DEFAULTS.maxJtis}); past it
                            the oldest is forgotten
      --journal-bytes <size>
                            Journal size across tenants (default 64mb); the largest tenant's oldest
                            entries go first
      --retain-calls <n>    Conversations a tenant keeps; the oldest closed ones past it are evicted
                            with their legs, transcripts, recordings and events (default: all)
      --retain-for <time>   Evict closed conversations this long after they closed: 90s, 30m, 12h, 7d
      --max-connections <n> Open connections at once; more are closed on arrival (default ${DEFAULTS.maxConnections})
      --request-timeout <secs>
                            Time to send a whole request; slower ones get 408 (default ${DEFAULTS.requestTimeoutMs / 1000})
`;
