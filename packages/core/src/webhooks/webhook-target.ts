import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { TesseraError } from '../errors.js';
import { addressPolicy } from '../net/address-policy.js';

/**
 * Why a delivery attempt failed, as the API shows it: a coarse class, never the socket error
 * (which would name internal addresses and ports). The server log keeps the details.
 */
export const WEBHOOK_FAILURES = [
  'target_not_allowed',
  'dns_failed',
  'connection_failed',
  'timeout',
  'tls_error',
  'http_status',
  'subscription_disabled',
] as const;
export type WebhookFailure = (typeof WEBHOOK_FAILURES)[number];

/** A failed attempt: its class for the API, the original error as `cause` for the server log. */
export class WebhookSendError extends Error {
  override readonly name = 'WebhookSendError';
  constructor(
    readonly failure: WebhookFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where webhooks may be sent. Both off by default: https to public addresses only. */
export interface WebhookTargetPolicy {
  /** Allow `http://` URLs. */
  allowHttp: boolean;
  /** Private targets: `false`, `true` (any unicast address), or CIDRs allowed besides public ones. */
  allowPrivate: boolean | readonly string[];
}

/** What a URL's host resolves to, each address checked against the policy; ready to be pinned. */
export type CheckedTarget = LookupAddress[];

/**
 * Checks a URL as it is saved: absolute, http(s), no credentials, https unless allowed, and an
 * IP-literal host that the policy allows. Names are checked once resolved, by {@link resolveTarget}.
 */
export function checkWebhookUrl(url: string, policy: WebhookTargetPolicy): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TesseraError('VALIDATION_FAILED', 'url must be an absolute https URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TesseraError('VALIDATION_FAILED', 'url must be an https URL');
  if (u.protocol === 'http:' && !policy.allowHttp)
    throw new TesseraError('VALIDATION_FAILED', 'url must be an https URL (plain http is allowed only by TESSERA_WEBHOOKS_ALLOW_HTTP)');
  if (u.username !== '' || u.password !== '')
    throw new TesseraError('VALIDATION_FAILED', 'url must not hold credentials: deliveries are signed instead');
  return u;
}

/** The message a refused target gets at creation: which kinds are refused, not what the name resolved to. */
const TARGET_REFUSED =
  "url's host is not an allowed webhook target: loopback, private, link-local, CGNAT, unspecified, multicast and broadcast addresses are refused unless TESSERA_WEBHOOKS_ALLOW_PRIVATE allows them";

/**
 * Resolves a URL's host with `lookup` (once: the caller connects to these addresses and no
 * others, so DNS cannot answer differently between the check and the connection) and checks
 * every address. A name with any address the policy refuses is refused as a whole.
 */
export async function resolveTarget(url: URL, lookup: LookupFunction, policy: WebhookTargetPolicy): Promise<CheckedTarget> {
  if (url.protocol === 'http:' && !policy.allowHttp) throw new WebhookSendError('target_not_allowed', 'plain http is not allowed');
  const allows = addressPolicy(policy.allowPrivate);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family !== 0) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
        lookup(host, { all: true }, (err, found) => (err ? reject(err) : resolve(found as unknown as LookupAddress[]))),
      );
    } catch (err) {
      throw new WebhookSendError('dns_failed', `resolving ${host} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  const refused = addresses.find((a) => !allows(a.address));
  if (refused !== undefined || addresses.length === 0)
    throw new WebhookSendError('target_not_allowed', `${host} resolves to ${refused?.address ?? 'nothing'}, which is not allowed`);
  return addresses;
}

/** A `lookup` that answers only the checked addresses: the connection goes where the check looked. */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const addresses = target.filter((a) => family === 0 || a.family === family);
    if (addresses.length === 0) {
      const err = Object.assign(new Error(`no checked address of family ${family} for ${hostname}`), { code: 'ENOTFOUND' });
      return process.nextTick(callback, err, '');
    }
    if (options.all) process.nextTick(callback, null, addresses);
    else process.nextTick(callback, null, addresses[0]!.address, addresses[0]!.family);
  };
}

/**
 * A URL as it is saved: its form, and every address its host has now. A name that does not
 * resolve yet is accepted (each delivery checks again); one with a refused address is not.
 */
export async function checkTargetOnSave(url: string, lookup: LookupFunction, policy: WebhookTargetPolicy): Promise<void> {
  const u = checkWebhookUrl(url, policy);
  try {
    await resolveTarget(u, lookup, policy);
  } catch (err) {
    if (err instanceof WebhookSendError && err.failure === 'target_not_allowed')
      throw new TesseraError('VALIDATION_FAILED', TARGET_REFUSED);
    if (!(err instanceof WebhookSendError && err.failure === 'dns_failed')) throw err;
  }
}

/** The message of an error and of the causes under it, for the server log. */
export function detailOf(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(': ').slice(0, 500);
}
