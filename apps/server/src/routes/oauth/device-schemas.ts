import { Type } from '../../http/schemas.js';
import { clientAuthParams, FORM, Param } from './form-endpoint.js';

/** The device authorization endpoint's request and answer (RFC 8628 §3.1, §3.2). */

export const DeviceAuthorizationForm = Type.Object(
  { scope: Param('Space-separated: `openid`, `profile`, `email`, `offline_access` and the client’s scopes.'), ...clientAuthParams },
  {
    description: `The device authorization request (RFC 8628 §3.1), as ${FORM}. The client authenticates as at the token endpoint (a public client sends \`client_id\`).`,
    examples: [{ client_id: 'cli_0Hq4C7d8E9f0G1h2I3j4K5', scope: 'openid offline_access' }],
  },
);

export const DeviceAuthorizationResponseSchema = Type.Object(
  {
    device_code: Type.String({ description: 'For the token endpoint’s `device_code` grant; the device keeps it.' }),
    user_code: Type.String({ description: 'Eight letters in two groups of four, for the user to enter on the verification page.' }),
    verification_uri: Type.String({ description: 'The verification page.' }),
    verification_uri_complete: Type.String({ description: 'The verification page with the code filled in (for a QR code).' }),
    expires_in: Type.Integer({ description: 'Seconds both codes live: 600.' }),
    interval: Type.Integer({ description: 'Seconds to wait between polls of the token endpoint.' }),
  },
  {
    description: 'The device authorization response (RFC 8628 §3.2).',
    examples: [
      {
        device_code: 'tessera_dc_4Yb0c1D2e3F4g5H6i7J8k9L0m1N2o3P4q5R6s7T8u9V0w1X2',
        user_code: 'WDJB-MJHT',
        verification_uri: 'https://tessera.example.com/oauth/device',
        verification_uri_complete: 'https://tessera.example.com/oauth/device?user_code=WDJB-MJHT',
        expires_in: 600,
        interval: 5,
      },
    ],
  },
);
