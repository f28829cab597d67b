import { generateKey } from '../../api-keys/key-format.js';
import { requestedScopes } from '../authorization/authorization-request.js';
import { displayUserCode, newUserCode } from '../device/user-code.js';
import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { GRANT_TYPES } from '../oauth-records.js';
import { clientEndpoint } from '../server-context.js';
import { param } from '../token-request.js';

export const DEVICE_CODE_PREFIX = 'tessera_dc';
/** A device authorization lasts ten minutes (RFC 8628 §3.2 `expires_in`). */
export const DEVICE_CODE_TTL_S = 600;
/** Seconds between polls when the server asks for no other (RFC 8628 §3.2 `interval`'s default). */
export const DEVICE_POLL_INTERVAL_S = 5;

/** The device authorization response (RFC 8628 §3.2). */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/**
 * The device authorization endpoint (RFC 8628 §3.1, §3.2): the client authenticates as at the token
 * endpoint (a public client sends `client_id`), must be allowed the device code grant, and may
 * ask for `scope` as at the authorization endpoint. Both codes are kept as keyed hashes only.
 */
export const deviceAuthorizationEndpoint = clientEndpoint<DeviceAuthorizationResponse>(
  OAUTH_PATHS.deviceAuthorization,
  async (ctx, req, client, issuer) => {
    if (!client.grantTypes.includes(GRANT_TYPES.deviceCode))
      throw new OAuthError('unauthorized_client', 'This client may not use the device authorization grant.');
    const scope = requestedScopes(param(req, 'scope'), client);
    const now = ctx.clock.now();
    const interval = ctx.devicePollInterval ?? DEVICE_POLL_INTERVAL_S;
    const deviceCode = generateKey(DEVICE_CODE_PREFIX);
    // 20^8 user codes: a collision with a live one is rare; a few draws make it vanishingly so.
    for (let attempt = 0; attempt < 4; attempt++) {
      const userCode = newUserCode();
      const inserted = await ctx.store.insertDeviceAuthorization({
        deviceCodeHash: ctx.keyring.hash('device_code', deviceCode),
        userCodeHash: ctx.keyring.hash('device_user_code', userCode),
        workspaceId: client.workspaceId,
        clientId: client.id,
        scope,
        createdAt: now,
        expiresAt: now + DEVICE_CODE_TTL_S * 1000,
        interval,
        lastPolledAt: null,
        status: 'pending',
        userId: null,
        authTime: null,
        amr: null,
        decidedAt: null,
      });
      if (!inserted) continue;
      const shown = displayUserCode(userCode);
      const verification = issuer + OAUTH_PATHS.deviceVerification;
      return {
        body: {
          device_code: deviceCode,
          user_code: shown,
          verification_uri: verification,
          verification_uri_complete: `${verification}?user_code=${shown}`,
          expires_in: DEVICE_CODE_TTL_S,
          interval,
        },
        headers: {},
      };
    }
    throw new OAuthError('temporarily_unavailable', 'No user code could be drawn; try again.');
  },
);
