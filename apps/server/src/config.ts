import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseNetwork, type WebhookTargetPolicy } from '@tessera/core';
import { readSetting } from './read-setting.js';

/**
 * The whole configuration, read once from the environment (and CLI flags, which win).
 * Each entry names its variable, default and meaning; `docs/configuration.md` is generated from
 * this table (`npm run docs:config`), and unknown `TESSERA_*` variables are refused so a typo
 * never passes silently.
 */
export interface Entry<T> {
  env: string;
  doc: string;
  default: T;
  parse: (raw: string) => T;
  /** A secret: it may also be read from the file named by `<env>_FILE` (container secrets). */
  secret?: true;
}

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
    'How often last-used times, counters and credits are written, in milliseconds.',
    'TESSERA_USAGE_FLUSH_MS',
    1000,
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
} as const;

type Schema = typeof CONFIG_SCHEMA;
export type Config = { readonly [K in keyof Schema]: Schema[K]['default'] } & {
  readonly dataDir: string;
  readonly host: string;
  readonly logLevel: string;
  readonly redisPrefix: string;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads the configuration once; `overrides` come from CLI flags. Throws with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Schema, unknown>> = {}): Config {
  const known = new Set(
    Object.values(CONFIG_SCHEMA as Record<string, Entry<unknown>>).flatMap((e) => (e.secret ? [e.env, `${e.env}_FILE`] : [e.env])),
  );
  // Read by the CLI's client commands, not by the server.
  for (const k of ['TESSERA_ROOT_KEY', 'TESSERA_ROOT_KEY_FILE', 'TESSERA_URL']) known.add(k);
  const unknown = Object.keys(env).filter((k) => k.startsWith('TESSERA_') && !known.has(k));
  if (unknown.length > 0) throw new Error(`unknown configuration variable(s): ${unknown.join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(CONFIG_SCHEMA) as [keyof Schema, Entry<unknown>][]) {
    const raw = entry.secret ? readSetting(env, entry.env) : env[entry.env];
    out[name] = overrides[name] !== undefined ? overrides[name] : raw === undefined || raw === '' ? entry.default : entry.parse(raw);
  }
  out.dataDir = resolve(out.dataDir as string);
  if (!LOG_LEVELS.includes(out.logLevel as string)) throw new Error(`TESSERA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) throw new Error('TESSERA_TLS_CERT and TESSERA_TLS_KEY go together');
  if (!['local', 'pkcs11'].includes(out.keyringProvider as string)) throw new Error('TESSERA_KEYRING_PROVIDER must be local or pkcs11');
  if (
    out.keyringProvider === 'pkcs11' &&
    (out.pkcs11Module === undefined || out.pkcs11TokenLabel === undefined || out.pkcs11Pin === undefined)
  ) {
    throw new Error('the pkcs11 keyring needs TESSERA_PKCS11_MODULE, TESSERA_PKCS11_TOKEN_LABEL and TESSERA_PKCS11_PIN');
  }
  if (out.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(out.databaseUrl as string)) {
    throw new Error('TESSERA_DATABASE_URL must be a postgres:// URL');
  }
  const trustProxy = out.trustProxy as string | undefined;
  if (trustProxy !== undefined && !['true', 'false'].includes(trustProxy) && !/^\d+$/.test(trustProxy)) {
    for (const entry of trustProxy.split(',').map((e) => e.trim())) {
      if (PROXY_RANGE_NAMES.includes(entry)) continue;
      try {
        parseNetwork(entry);
      } catch {
        throw new Error(
          `TESSERA_TRUST_PROXY must be true, false, a hop count, or a comma-separated list of addresses/CIDRs (or loopback, linklocal, uniquelocal); "${entry.slice(0, 64)}" is none`,
        );
      }
    }
  }
  if (out.metricsListen !== undefined) listenAddress(out.metricsListen as string);
  if (out.consoleOrigin !== undefined) {
    const origin = out.consoleOrigin as string;
    if (!URL.canParse(origin) || new URL(origin).origin !== origin || !/^https?:$/.test(new URL(origin).protocol)) {
      throw new Error('TESSERA_CONSOLE_ORIGIN must be an origin: https://host or https://host:port, without a path');
    }
  }
  return Object.freeze(out) as Config;
}

/** `host:port` or `[v6]:port`, checked; throws naming the setting. */
export function listenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (m === null || port > 65535) throw new Error('TESSERA_METRICS_LISTEN must be host:port, or [v6 address]:port');
  return { host: m[1] ?? m[2]!, port };
}

/** Whether an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The `trustProxy` value Fastify expects. */
export function trustProxyOption(value: string | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    // Fastify 5.12 ignores a bare hop count (it cannot tell the proxy from a direct client), so
    // the count is applied here: the address `hops` entries back from the connecting peer.
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** proxy-addr's names for ranges, accepted in `TESSERA_TRUST_PROXY` beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** What `TESSERA_TRUST_PROXY=true` or a hop count means, said at start-up; nothing for a list of proxies. */
export function trustProxyWarning(value: string | undefined): string | undefined {
  if (value === 'true')
    return 'INSECURE: TESSERA_TRUST_PROXY=true takes the client address from the left-most X-Forwarded-For entry, which any client writes itself: IP allowlists, throttling, the audit log and anomaly detection see whatever address a caller claims. Set the addresses/CIDRs of your proxies (or their number) instead.';
  if (value !== undefined && /^\d+$/.test(value) && value !== '0')
    return `TESSERA_TRUST_PROXY=${value} trusts ${value} X-Forwarded-For hop(s) from whoever connects: safe only if the proxies are the only way to reach this server. A list of their addresses/CIDRs is checked instead.`;
  return undefined;
}

/** Where webhooks may be sent, from the configuration. */
export function webhookTargetPolicy(config: Config): WebhookTargetPolicy {
  return { allowHttp: config.webhooksAllowHttp, allowPrivate: config.webhooksAllowPrivate };
}

/** The console's session and lockout policy, from the configuration. */
export function consolePolicy(config: Config) {
  return {
    idleMs: config.consoleIdleMinutes * 60_000,
    absoluteMs: config.consoleSessionHours * 3_600_000,
    maxFailures: config.consoleMaxFailures,
    lockoutMs: config.consoleLockoutMinutes * 60_000,
  };
}
