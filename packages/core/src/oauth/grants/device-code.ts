import { DEVICE_CODE_PREFIX } from '../endpoints/device-authorization.js';
import { OAuthError } from '../oauth-error.js';
import type { DeviceAuthorizationRecord } from '../people/end-user-records.js';
import type { ServerContext } from '../server-context.js';
import { presentedCredential, type Grant } from './grant.js';
import { issueUserTokens } from './user-tokens.js';

/** RFC 8628 §3.5: each `slow_down` adds five seconds to the interval, for this and every later poll. */
const SLOW_DOWN_STEP_S = 5;

/**
 * The device code grant (RFC 8628 §3.4, §3.5). The device code must be this client's. While the
 * user has not decided: `authorization_pending`, or `slow_down` for a poll sooner than the
 * interval after the last one (which raises the interval by five seconds); `access_denied` once
 * they denied it; `expired_token` once it expired. Approved: the tokens, once — the request is
 * spent in the transaction that records them.
 */
export const deviceCode: Grant = async (ctx, req, client, issuer, jkt) => {
  const invalid = new OAuthError('invalid_grant', 'The device code is invalid or spent.');
  const code = presentedCredential(req, 'device_code', DEVICE_CODE_PREFIX, invalid);
  const found = await findDeviceAuthorization(ctx, code);
  if (found === undefined || found.clientId !== client.id || found.status === 'spent') throw invalid;
  const now = ctx.clock.now();
  if (found.expiresAt <= now) throw new OAuthError('expired_token', 'The device code expired: start again.');
  if (found.status === 'denied') throw new OAuthError('access_denied', 'The user denied the request.');
  if (found.status === 'pending') {
    const early = found.lastPolledAt !== null && now - found.lastPolledAt < found.interval * 1000;
    const interval = early ? found.interval + SLOW_DOWN_STEP_S : found.interval;
    // Of two polls racing each other, one is recorded; the other was too early by definition.
    const recorded = await ctx.store.recordDevicePoll(found.deviceCodeHash, found.lastPolledAt, now, interval);
    if (early || !recorded) throw new OAuthError('slow_down', `Poll at most every ${interval} seconds.`);
    throw new OAuthError('authorization_pending', 'The user has not decided yet.');
  }
  const user = found.userId === null ? undefined : await ctx.store.getEndUser(found.userId);
  if (user === undefined || user.disabledAt !== null || user.workspaceId !== client.workspaceId) throw invalid;
  const body = await issueUserTokens(
    { ctx, req, client, issuer, jkt },
    { user, scope: found.scope, nonce: null, authTime: found.authTime ?? now, amr: found.amr ?? [] },
    (tx) => tx.spendDeviceAuthorization(found.deviceCodeHash),
  );
  if (body === undefined) throw invalid;
  return body;
};

/** The stored request, its device code hashed under each pepper the keyring still knows. */
async function findDeviceAuthorization(ctx: ServerContext, code: string): Promise<DeviceAuthorizationRecord | undefined> {
  for (const v of ctx.keyring.pepperVersions) {
    const found = await ctx.store.findDeviceAuthorization(ctx.keyring.hash('device_code', code, v));
    if (found !== undefined) return found;
  }
  return undefined;
}
