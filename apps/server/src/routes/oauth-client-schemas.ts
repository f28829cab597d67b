import { ALL_GRANT_TYPES, CLIENT_AUTH_METHODS, CLIENT_LIMITS, SIGNING_ALGS } from '@tessera/core';
import { Cursor, Limit, List, Nullable, OneOf, RefTo, ScopeName, Time, Type } from '../http/schemas.js';

/** The shapes of OAuth clients and signing keys in the management API. Times are RFC 3339. */

const ClientId = Type.String({ minLength: 1, maxLength: 64, pattern: '^cli_[0-9A-Za-z]{22}$' });
const B64url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$' });
const CLIENT_ID = 'cli_0Hq4C7d8E9f0G1h2I3j4K5';
const SECRET = 'tessera_cs_3kQ9xW2mV7pL1bN8cR4tY6zH0jF5sD9gE2uA7iO4';

/**
 * A client's public key: the public members of RFC 7517 §4 and RFC 7518 §6 (RFC 8037 for OKP),
 * each bounded, nothing else. `x5u` is left out: Tessera never fetches a key from a URL.
 */
const Jwk = Type.Object(
  {
    kty: Type.String({ minLength: 1, maxLength: 8 }),
    use: Type.Optional(Type.String({ minLength: 1, maxLength: 8 })),
    key_ops: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 8 })),
    alg: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    kid: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    x5c: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 8192, pattern: '^[A-Za-z0-9+/]+={0,2}$' }), { maxItems: 10 })),
    x5t: Type.Optional(B64url(64)),
    'x5t#S256': Type.Optional(B64url(64)),
    crv: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    x: Type.Optional(B64url(128)),
    y: Type.Optional(B64url(128)),
    n: Type.Optional(B64url(2048)),
    e: Type.Optional(B64url(16)),
  },
  { additionalProperties: false },
);
const Ttl = (l: { min: number; max: number }, description: string) => Type.Integer({ minimum: l.min, maximum: l.max, description });

// Widened to strings: the core's unions stay its own.
const GrantTypes = Type.Array(OneOf(ALL_GRANT_TYPES as readonly string[]), { minItems: 1, maxItems: 4 });
const AuthMethod = OneOf(CLIENT_AUTH_METHODS as readonly string[], {
  description:
    'How the client authenticates: a secret (Basic or in the form), `private_key_jwt`, or `none` for a public client (a browser, native or device app; authorization code with PKCE, the device code grant and refresh only).',
});
const AccessTokenFormat = OneOf(['jwt', 'opaque'] as const, {
  description: 'A JWT (RFC 9068) verified locally, or an opaque token introspected.',
});
const SigningAlg = OneOf(SIGNING_ALGS as readonly string[], {
  description: 'EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65.',
});

const attributes = {
  scopes: Type.Array(ScopeName, {
    maxItems: 256,
    description: 'Scopes the client may be granted; wildcards such as `invoices:*` allowed.',
  }),
  audience: Type.Array(Type.String({ minLength: 1, maxLength: 512 }), {
    maxItems: 16,
    description: 'Audiences its tokens may name, the first by default; each belongs to one workspace.',
  }),
  grantTypes: GrantTypes,
  postLogoutRedirectUris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
    maxItems: 10,
    description:
      'Where users may be sent after signing out (OpenID Connect RP-Initiated Logout 1.0 `post_logout_redirect_uri`), matched exactly; the same forms as redirectUris.',
  }),
  webOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 512 }), {
    maxItems: 10,
    description:
      'Browser origins (`https://app.example.com`, or `http` on 127.0.0.1 or [::1] with its port) whose pages may call the token, revocation and userinfo endpoints: CORS answers name these origins exactly and no other.',
  }),
  redirectUris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
    maxItems: 10,
    description:
      'For `authorization_code`: where users are sent back, matched exactly; `https`, `http` on 127.0.0.1 or [::1] (any port, RFC 8252 §7.3), or a reverse-domain private-use scheme.',
  }),
  tokenEndpointAuthMethod: AuthMethod,
  jwks: Nullable(
    Type.Object(
      { keys: Type.Array(Jwk, { minItems: 1, maxItems: 10 }) },
      { additionalProperties: false, description: 'The public keys of `private_key_jwt`.' },
    ),
  ),
  accessTokenFormat: AccessTokenFormat,
  signingAlg: SigningAlg,
  accessTokenTtl: Ttl(CLIENT_LIMITS.accessTokenTtl, 'Seconds an access token lives. Default 300.'),
  refreshTokenTtl: Ttl(CLIENT_LIMITS.refreshTokenTtl, 'Seconds a refresh token lives unused. Default 7 days.'),
  refreshGraceSeconds: Ttl(
    CLIENT_LIMITS.refreshGraceSeconds,
    'Seconds a just-rotated refresh token may be presented once more. Default 0.',
  ),
  refreshFamilyLifetime: Ttl(
    CLIENT_LIMITS.refreshFamilyLifetime,
    'Seconds a refresh family lives from its first token, however often it rotates. Default 30 days.',
  ),
  dpopBound: Type.Boolean({ description: 'Every access token must be DPoP-bound (RFC 9449 §5.2).' }),
  dpopNonce: Type.Boolean({ description: 'DPoP proofs must carry a server nonce (RFC 9449 §8).' }),
  requirePar: Type.Boolean({
    description:
      'Authorization requests must be pushed first (RFC 9126 §6 `require_pushed_authorization_requests`); one sent straight to the authorization endpoint is refused with `invalid_request`. Needs `authorization_code`. Default false.',
  }),
  secretRotation: Nullable(
    Type.Object(
      {
        intervalDays: Ttl(CLIENT_LIMITS.secretRotationDays, 'The secret falls due this many days after it was issued.'),
        overlapSeconds: Type.Optional(
          Ttl(
            CLIENT_LIMITS.secretRotationOverlapSeconds,
            'Seconds both secrets work when it is rotated (the default grace of rotate-secret). Default 7 days, at most half the interval; shorter than the interval.',
          ),
        ),
      },
      {
        additionalProperties: false,
        description:
          'A secret-rotation schedule: when the secret falls due, the owner is told (`oauth_client.secret_rotation_due` webhook) and rotates it. Null: none.',
      },
    ),
  ),
};
const optional = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, Type.Optional(v)])) as {
  [K in keyof typeof attributes]: ReturnType<typeof Type.Optional<(typeof attributes)[K]>>;
};

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const CreateClientBody = Type.Object(
  { name: Name, ...optional },
  {
    additionalProperties: false,
    examples: [
      { name: 'billing-service', scopes: ['invoices:read'], audience: ['https://api.example.com'], grantTypes: ['client_credentials'] },
    ],
  },
);

export const UpdateClientBody = Type.Object(
  { name: Type.Optional(Name), ...optional },
  { additionalProperties: false, minProperties: 1, examples: [{ scopes: ['invoices:read', 'invoices:write'], accessTokenTtl: 600 }] },
);

export const RotateSecretBody = Type.Optional(
  Type.Object(
    {
      gracePeriodSeconds: Type.Optional(
        Ttl(
          CLIENT_LIMITS.secretGraceSeconds,
          "Seconds the secrets in use keep working, so deployments roll over. Default: the overlap of the client's rotation schedule, else 0 (they stop now).",
        ),
      ),
    },
    { additionalProperties: false, examples: [{ gracePeriodSeconds: 86_400 }] },
  ),
);

export const ListClientsQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export const ClientParams = Type.Object({ clientId: ClientId });

const view = {
  clientId: Type.String(),
  name: Type.String(),
  ...attributes,
  jwks: Nullable(Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) })),
  secretRotationDueAt: Nullable(Type.String({ format: 'date-time', description: 'When the current secret falls due under the schedule.' })),
  createdAt: Time,
  updatedAt: Time,
};

const example = {
  clientId: CLIENT_ID,
  name: 'billing-service',
  scopes: ['invoices:read'],
  audience: ['https://api.example.com'],
  grantTypes: ['client_credentials'],
  redirectUris: [],
  postLogoutRedirectUris: [],
  webOrigins: [],
  tokenEndpointAuthMethod: 'client_secret_basic',
  jwks: null,
  accessTokenFormat: 'jwt',
  signingAlg: 'EdDSA',
  accessTokenTtl: 300,
  refreshTokenTtl: 604_800,
  refreshGraceSeconds: 0,
  refreshFamilyLifetime: 2_592_000,
  dpopBound: false,
  dpopNonce: false,
  requirePar: false,
  secretRotation: { intervalDays: 90, overlapSeconds: 604_800 },
  secretRotationDueAt: '2026-05-31T09:00:00.000Z',
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
};

const Secret = Type.String({ description: 'The client secret: shown in this answer only.' });

const ClientShape = Type.Object(view, {
  $id: 'OAuthClient',
  description: 'An OAuth client; its secret is never shown again.',
  examples: [example],
});

const ClientWithSecretShape = Type.Object(
  { ...view, clientSecret: Type.Optional(Secret) },
  {
    $id: 'OAuthClientWithSecret',
    description: 'A new OAuth client, with its secret unless it authenticates with `private_key_jwt`.',
    examples: [{ ...example, clientSecret: SECRET }],
  },
);

const NewSecretShape = Type.Object(
  { clientId: Type.String(), clientSecret: Secret },
  { $id: 'OAuthClientSecret', description: 'A new client secret.', examples: [{ clientId: CLIENT_ID, clientSecret: SECRET }] },
);

const signingKeyExample = {
  kid: 'qniBqlqvCllOp7nSjc_My56z0LehjaGLZWRD_AraGTI',
  alg: 'EdDSA',
  state: 'current',
  activatesAt: '2026-03-01T00:00:00.000Z',
  retiresAt: '2026-03-31T00:00:00.000Z',
  expiresAt: '2026-04-01T00:00:00.000Z',
};

const SigningKeyShape = Type.Object(
  {
    kid: Type.String(),
    alg: SigningAlg,
    state: OneOf(['next', 'current', 'previous'] as const, {
      description: '`next` is published before it signs; `current` signs; `previous` stays published until its tokens expire.',
    }),
    activatesAt: Time,
    retiresAt: Time,
    expiresAt: Type.String({ format: 'date-time', description: 'When it leaves the JWKS.' }),
  },
  {
    $id: 'OAuthSigningKey',
    examples: [signingKeyExample],
  },
);

export const OAuthClient = RefTo(ClientShape);
export const OAuthClientWithSecret = RefTo(ClientWithSecretShape);
export const OAuthClientSecret = RefTo(NewSecretShape);
export const OAuthClientList = Type.Object(
  { items: Type.Array(OAuthClient), nextCursor: Nullable(Type.String()) },
  { examples: [{ items: [example], nextCursor: null }] },
);
export const SigningKeyList = List(RefTo(SigningKeyShape), [signingKeyExample]);

/** The named shapes, registered once by the plugin whose routes use them. */
export const OAUTH_CLIENT_SCHEMAS = [ClientShape, ClientWithSecretShape, NewSecretShape, SigningKeyShape];
