import { Nullable, Text, Type } from '../http/schemas.js';

/** What the gateway routes of a keyspace look like through the API, and the forward-auth answer. */

const RuleShape = Type.Object(
  {
    methods: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z]{1,16}$' }), {
        minItems: 1,
        maxItems: 16,
        description: 'Upper-case method names; leave it out for every method.',
      }),
    ),
    path: Text({ minLength: 1, maxLength: 512 }),
    scopes: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'A scope, or an expression such as `a and (b or c)`, the key needs; leave it out (or empty) for any valid key.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Covers the requests with one of `methods` whose path matches `path`: a literal segment matches itself, `*` any one segment, a last `**` any rest of the path.',
  },
);

const rulesExample = [
  { methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read' },
  { methods: ['POST', 'PUT', 'DELETE'], path: '/orders/**', scopes: 'orders:write' },
  { path: '/status' },
];

export const GatewayRoutesBody = Type.Object(
  {
    keyHeader: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9-]{1,64}$',
        description:
          'The header clients send their key in: `authorization` (as `Bearer <key>`, the default) or another, such as `x-api-key`.',
      }),
    ),
    rules: Type.Array(RuleShape, { maxItems: 200, description: 'In order: the first rule that matches a request decides.' }),
    audience: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          "Accept Tessera's own OAuth access tokens (JWT) issued for this audience too, as `Authorization: Bearer <token>`; leave it out for API keys only.",
      }),
    ),
  },
  { additionalProperties: false, examples: [{ keyHeader: 'authorization', rules: rulesExample, audience: 'https://orders.example.com' }] },
);

export const GatewayRoutesAnswer = Type.Object(
  {
    keyspaceId: Type.String(),
    keyHeader: Type.String(),
    rules: Type.Array(RuleShape),
    audience: Nullable(Type.String({ description: 'Access tokens for this audience are accepted too; null: API keys only.' })),
    updatedAt: Nullable(Type.String({ format: 'date-time', description: 'Null while none were ever set.' })),
  },
  {
    description: "A keyspace's gateway routes. A request no rule matches is refused (403).",
    examples: [
      { keyspaceId: 'ks_0Hq3Yx8V2aC1rKlN7wSp0m', keyHeader: 'x-api-key', rules: rulesExample, updatedAt: '2026-12-06T09:00:00.000Z' },
    ],
  },
);

export const ForwardAuthAnswer = Type.String({
  maxLength: 0,
  description:
    'Empty: the request may pass. The identity is in the headers: for a key `Tessera-Key-Id`, `Tessera-Keyspace-Id`, `Tessera-Owner-Id`, `Tessera-Scopes`, `Tessera-RateLimit-Remaining`, `Tessera-Credits-Remaining`, with `RateLimit` and `RateLimit-Policy`; for an access token `Tessera-Subject`, `Tessera-Client-Id` and `Tessera-Scopes`.',
  examples: [''],
});
