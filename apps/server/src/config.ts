import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_SIGNING_KEY_POLICY, parseNetwork, type SigningKeyPolicy, type WebhookTargetPolicy } from '@tessera/core';
import { consoleSsoSettings } from './config-console-sso.js';
import { CONFIG_SCHEMA, type Entry } from './config-schema.js';
import { readSetting } from './read-setting.js';

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
  consoleSsoSettings(out as unknown as Config);
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

/** How often the authorization server's signing keys rotate; retired keys stay published a day. */
export function signingKeyPolicy(config: Config): SigningKeyPolicy {
  return { rotationMs: config.oauthSigningKeyRotationDays * 86_400_000, retainMs: DEFAULT_SIGNING_KEY_POLICY.retainMs };
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
