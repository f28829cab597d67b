import { parseNetwork } from '@tessera/core';
import { parseSyslogTarget } from './audit/syslog-target.js';
import { CONSOLE_SSO_SCHEMA } from './config-console-sso.js';
import type { Entry } from './config-entry.js';

export type { Entry } from './config-entry.js';

const secret = <T>(entry: Entry<T>): Entry<T> => ({ ...entry, secret: true });

const str = (doc: string, env: string, def: string | undefined): Entry<string | undefined> => ({ env, doc, default: def, parse: (v) => v });
const int = (doc: string, env: string, def: number, min: number, max: number): Entry<number> => ({
  env,
  doc,
  default: def,
  parse: (v) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${env} must be an integer from ${min} to ${max}`);
    return Number(v);
  },
});
const bool = (doc: string, env: string, def: boolean): Entry<boolean> => ({
  env,
  doc,
  default: def,
  parse: (v) => {
    if (!['true', 'false', '1', '0'].includes(v)) throw new Error(`${env} must be true or false`);
    return v === 'true' || v === '1';
  },
});

const oneOf = <const T extends readonly string[]>(doc: string, env: string, values: T, def: T[number]): Entry<T[number]> => ({
  env,
  doc,
  default: def,
  parse: (v) => {
    if (!values.includes(v)) throw new Error(`${env} must be one of ${values.join(', ')}`);
    return v as T[number];
  },
});

const networks = (doc: string, env: string): Entry<boolean | readonly string[]> => ({
  env,
  doc,
  default: false,
  parse: (v) => {
    if (['true', 'false', '1', '0'].includes(v)) return v === 'true' || v === '1';
    const list = v.split(',').map((s) => s.trim());
    for (const cidr of list) {
      try {
        parseNetwork(cidr);
      } catch {
        throw new Error(`${env} must be true, false or a comma-separated list of addresses/CIDRs; "${cidr.slice(0, 64)}" is none`);
      }
    }
    return Object.freeze(list);
  },
});

/**
 * The whole configuration, read once from the environment (and CLI flags, which win).
 * Each entry names its variable, default and meaning; `docs/configuration.md` is generated from
 * this table (`npm run docs:config`), and unknown `TESSERA_*` variables are refused so a typo
 * never passes silently.
 */
export const CONFIG_SCHEMA = {
  port: int('Port to listen on.', 'TESSERA_PORT', 8080, 0, 65535),
  host: str('Address to listen on. Plain HTTP is allowed only on loopback unless `insecureHttp` is set.', 'TESSERA_HOST', '127.0.0.1'),
  dataDir: str('Folder for the SQLite database and the local keyring.', 'TESSERA_DATA_DIR', './data'),
  databaseUrl: secret(
    str('`postgres://…` to use PostgreSQL instead of the embedded SQLite file (its password included).', 'TESSERA_DATABASE_URL', undefined),
  ),
  databaseSchema: str('PostgreSQL schema to use (default: the search path of the role).', 'TESSERA_DATABASE_SCHEMA', undefined),
  redisUrl: secret(
    str(
      '`redis://…` (or `rediss://…`) for the invalidation bus, rate limits and credits shared by several nodes. Without it, several nodes on PostgreSQL share the bus through LISTEN/NOTIFY and limit rates per node.',
      'TESSERA_REDIS_URL',
      undefined,
    ),
  ),
  redisPrefix: str(
    'Prefix of every Redis key and channel, so several deployments can share one Redis.',
    'TESSERA_REDIS_PREFIX',
    'tessera:',
  ),
  redisFailMode: oneOf(
    'While Redis is unreachable: `local` applies rate limits and credits on each node alone (a warning metric counts it); `deny` answers RATE_LIMITED for every key that has limits or credits.',
    'TESSERA_REDIS_FAIL_MODE',
    ['local', 'deny'] as const,
    'local',
  ),
  geoipDatabase: str(
    'Path of a MaxMind-format GeoIP database (`.mmdb`: GeoLite2 City, GeoIP2 City, or a compatible one), read at start. With it the detectors also find use from a new country and impossible travel; without it they work on networks only. See docs/monitoring.md, "GeoIP".',
    'TESSERA_GEOIP_DATABASE',
    undefined,
  ),
  auditSyslog: {
    env: 'TESSERA_AUDIT_SYSLOG',
    doc: 'Stream the audit log, as it is written, to a syslog collector: `udp://host:514`, `tcp://host:514` or `tls://host:6514` (RFC 5424 messages; octet-counted frames over TCP and TLS). Each entry is sent once across all nodes. See docs/security.md, "Streaming the audit log".',
    default: undefined,
    parse: (v: string): string | undefined => (parseSyslogTarget(v), v),
  },
  auditSyslogCa: str(
    "PEM file of the certificate authorities to trust for a `tls://` syslog collector (default: the system's).",
    'TESSERA_AUDIT_SYSLOG_CA',
    undefined,
  ),
  otlpTraces: {
    env: 'TESSERA_OTLP_TRACES',
    doc: 'Export OpenTelemetry traces over OTLP/HTTP to this URL (such as `http://collector:4318/v1/traces`): a span per request, joining the caller\'s `traceparent`, with the SQL statements and Redis commands under it. Off by default. Headers and timeouts come from the standard `OTEL_EXPORTER_OTLP_*` variables. See docs/deployment.md, "Traces".',
    default: undefined,
    parse: (v: string): string | undefined => {
      if (!/^https?:\/\/[^/\s]+/.test(v))
        throw new Error('TESSERA_OTLP_TRACES must be an http:// or https:// URL, such as http://collector:4318/v1/traces');
      return v;
    },
  },
  otlpTracesSampleRatio: {
    env: 'TESSERA_OTLP_TRACES_SAMPLE_RATIO',
    doc: 'The share of requests traced when the caller did not decide (a `traceparent` with its sampled flag is followed), from 0 to 1.',
    default: 1,
    parse: (v: string): number => {
      if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(v)) throw new Error('TESSERA_OTLP_TRACES_SAMPLE_RATIO must be a number from 0 to 1');
      return Number(v);
    },
  },
  shutdownTimeoutMs: int(
    'On SIGTERM/SIGINT, how long to wait for in-flight requests and the last usage flush before exiting anyway, in milliseconds.',
    'TESSERA_SHUTDOWN_TIMEOUT_MS',
    10_000,
    100,
    600_000,
  ),
  issuer: str("OAuth issuer URL (default: the server's own base URL).", 'TESSERA_ISSUER', undefined),
  tlsCert: str('PEM certificate file; with `tlsKey`, Tessera serves HTTPS itself and sends HSTS.', 'TESSERA_TLS_CERT', undefined),
  tlsKey: str(
    'PEM private key file for `tlsCert`: a path, so the key itself never sits in the environment (mount it as a container secret and name it here).',
    'TESSERA_TLS_KEY',
    undefined,
  ),
  insecureHttp: bool(
    'Allow plain HTTP on an address other than loopback. Tokens then travel in the clear: use only behind a TLS-terminating proxy.',
    'TESSERA_INSECURE_HTTP',
    false,
  ),
  trustProxy: str(
    "Trust `X-Forwarded-*` from: a comma-separated list of the proxies' addresses/CIDRs (or `loopback`, `linklocal`, `uniquelocal`), a hop count (safe only if the proxies are the only way in), or `true` (any client can then claim any address: warned at start-up).",
    'TESSERA_TRUST_PROXY',
    undefined,
  ),
  webhooksAllowHttp: bool(
    'Allow webhook URLs with plain `http://`; deliveries then travel unencrypted (they are still signed). Off: https only.',
    'TESSERA_WEBHOOKS_ALLOW_HTTP',
    false,
  ),
  webhooksAllowPrivate: networks(
    'Webhook targets besides public addresses: `false` (none), a comma-separated list of addresses/CIDRs of on-premises receivers (e.g. `10.20.0.0/16`), or `true` for every unicast address, loopback and link-local (cloud metadata) included. Checked after DNS resolution, at every delivery.',
    'TESSERA_WEBHOOKS_ALLOW_PRIVATE',
  ),
  adminAuthFailureLimit: int(
    'Failed root-key authentications one source network (an IPv4 address, an IPv6 /64) may make per window before it gets 429 with Retry-After until the window ends; 0 turns the throttle off (failures are still audited, sampled).',
    'TESSERA_ADMIN_AUTH_FAILURE_LIMIT',
    20,
    0,
    1_000_000,
  ),
  adminAuthWindowSeconds: int(
    'The window of `adminAuthFailureLimit`, in seconds; failed authentications are audited once per power of ten per network and window.',
    'TESSERA_ADMIN_AUTH_WINDOW_SECONDS',
    60,
    1,
    86_400,
  ),
  logLevel: str('Log level: fatal, error, warn, info, debug, trace or silent.', 'TESSERA_LOG_LEVEL', 'info'),
  logRequests: bool('Log one line per management request (verify calls are counted in metrics instead).', 'TESSERA_LOG_REQUESTS', true),
  bodyLimit: int('Largest request body in bytes.', 'TESSERA_BODY_LIMIT', 65_536, 1024, 10_485_760),
  keyCacheSize: int('Key records kept in memory for verification.', 'TESSERA_KEY_CACHE_SIZE', 100_000, 100, 50_000_000),
  usageFlushMs: int(
    'How often last-used times, counters and credits are written, and the anomaly detectors read the verifications since, in milliseconds.',
    'TESSERA_USAGE_FLUSH_MS',
    1000,
    10,
    60_000,
  ),
  analyticsWriteMs: int(
    'How often usage events and their roll-ups are written for analytics, in milliseconds: several batches in one transaction, a busy key’s roll-up rows updated once. Detection does not wait for it.',
    'TESSERA_ANALYTICS_WRITE_MS',
    5000,
    10,
    60_000,
  ),
  keyringProvider: str(
    'Who holds the key-encryption key: `local` (the keyring file, or `TESSERA_MASTER_KEY`) or `pkcs11` (an HSM). See docs/key-custody.md.',
    'TESSERA_KEYRING_PROVIDER',
    'local',
  ),
  masterKey: secret(
    str(
      'The KEK for the `local` provider instead of the keyring file: a base64 32-byte key, or `1:<key>,2:<key>` during a rotation. A secret: keep it out of shell history.',
      'TESSERA_MASTER_KEY',
      undefined,
    ),
  ),
  keyringPassphrase: secret(
    str(
      'Seals the KEKs in the keyring file with a key derived from this passphrase (scrypt); needed at every start.',
      'TESSERA_KEYRING_PASSPHRASE',
      undefined,
    ),
  ),
  pkcs11Module: str('Path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.', 'TESSERA_PKCS11_MODULE', undefined),
  pkcs11TokenLabel: str('Label of the PKCS#11 token that holds the KEK.', 'TESSERA_PKCS11_TOKEN_LABEL', undefined),
  pkcs11Pin: secret(str('User PIN of the PKCS#11 token.', 'TESSERA_PKCS11_PIN', undefined)),
  pkcs11KeyLabel: str('KEK objects in the token are labelled `<label>-v<version>`.', 'TESSERA_PKCS11_KEY_LABEL', 'tessera-kek'),
  auditCheckpointEntries: int(
    'Sign an audit checkpoint after this many new entries…',
    'TESSERA_AUDIT_CHECKPOINT_ENTRIES',
    1000,
    1,
    10_000_000,
  ),
  auditCheckpointSeconds: int('…or after this many seconds with any new entry.', 'TESSERA_AUDIT_CHECKPOINT_SECONDS', 60, 1, 86_400),
  auditPinFile: str(
    "Where this node remembers, outside the database, the last audit checkpoint it signed or checked; it refuses to sign a chain that no longer holds it. Default: `audit-pin.json` in the data folder. Keep it where the database's users cannot write (see docs/security.md).",
    'TESSERA_AUDIT_PIN_FILE',
    undefined,
  ),
  auditCheckpointFile: str(
    'An append-only copy of every audit checkpoint this node signs, one JSON line each. Default: `audit-checkpoints.jsonl` in the data folder; `off` writes none.',
    'TESSERA_AUDIT_CHECKPOINT_FILE',
    undefined,
  ),
  secretRotationDueDays: int(
    'A secret is reported `due` this many days before its `rotateBy` date.',
    'TESSERA_SECRET_ROTATION_DUE_DAYS',
    7,
    0,
    365,
  ),
  oauthSigningKeyRotationDays: int(
    'Days an OAuth signing key signs before its successor, published as long ahead, takes over. A change applies to keys made after it.',
    'TESSERA_OAUTH_SIGNING_KEY_ROTATION_DAYS',
    30,
    1,
    365,
  ),
  consoleIdleMinutes: int('A console session ends after this many minutes without a request.', 'TESSERA_CONSOLE_IDLE_MINUTES', 30, 1, 1440),
  consoleSessionHours: int(
    'A console session ends this many hours after sign-in, whatever the activity.',
    'TESSERA_CONSOLE_SESSION_HOURS',
    12,
    1,
    720,
  ),
  consoleMaxFailures: int(
    'Consecutive failed second factors after a right password (or wrong passwords, for an account with no second factor yet) that lock a console account.',
    'TESSERA_CONSOLE_MAX_FAILURES',
    5,
    1,
    100,
  ),
  consoleLockoutMinutes: int(
    'How long a locked console account stays locked, in minutes.',
    'TESSERA_CONSOLE_LOCKOUT_MINUTES',
    15,
    1,
    10_080,
  ),
  metricsToken: secret(
    str(
      'Bearer token `/metrics` requires (Prometheus: `authorization: { credentials_file: … }`). Without it and without `metricsListen`, `/metrics` answers only when Tessera listens on loopback.',
      'TESSERA_METRICS_TOKEN',
      undefined,
    ),
  ),
  metricsListen: str(
    '`host:port` (`[v6]:port` for IPv6) of a separate plain-HTTP listener that serves only `/metrics`, e.g. on an address only the monitoring network reaches; the main listener then serves no `/metrics`. With `metricsToken`, it requires the token too.',
    'TESSERA_METRICS_LISTEN',
    undefined,
  ),
  consoleOrigin: str(
    "The console's origin (`https://host[:port]`), which its passkeys are bound to: their relying-party ID is its host name. Required when listening on a non-loopback address; an https origin also makes the session cookie `__Host-` and Secure. Default on loopback: each request's own protocol and Host (the forwarded ones from a trusted proxy).",
    'TESSERA_CONSOLE_ORIGIN',
    undefined,
  ),
  ...CONSOLE_SSO_SCHEMA,
} as const;
