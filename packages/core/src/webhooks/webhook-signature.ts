import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'tessera-signature';

/**
 * Signs a webhook body: `HMAC-SHA256(secret, "<t>.<body>")` in hex, with the timestamp in the
 * header so a receiver can refuse replays of an old delivery (Stripe's scheme).
 */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Checks a signature header against the raw body: the MAC (constant time) and the timestamp,
 * which must be within `toleranceSeconds` of `nowSeconds`.
 *
 * @example
 * verifyWebhookSignature(secret, req.headers['tessera-signature'], rawBody, Math.floor(Date.now() / 1000))
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (header === undefined) return false;
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}
