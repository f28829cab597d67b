import { VERIFY_CODES } from '@tessera/api';
import { Answer, EXAMPLE, Nullable, OneOf, pick, Text, Time, Type } from '../http/schemas.js';
import { keyExample } from './key-schemas.js';

/**
 * What `POST /v1/keys/verify` takes and gives. Both stay inline (no named shape): the verify path
 * is the hot one, and its body is validated and its answer serialized by code compiled from them.
 */

export const VerifyBody = Type.Object(
  {
    key: Type.String({ maxLength: 4096, description: 'The key the end client presented.' }),
    scopes: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'A scope, or an expression such as `a and (b or c)`.' }),
    ),
    keyspaceId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[a-z]{2,3}_[0-9A-Za-z]{1,60}$',
        description: 'Only a key of this keyspace passes; any other answers NOT_FOUND, like an unknown key.',
      }),
    ),
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_.-]+$',
        description: 'Only a key of this environment passes; any other (or none) answers NOT_FOUND, like an unknown key.',
      }),
    ),
    ip: Type.Optional(
      Type.String({ minLength: 2, maxLength: 64, description: "The end client's address (default: the caller's), for IP allowlists." }),
    ),
    cost: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Credits to spend; 0 checks without spending. Default 1.' }),
    ),
    resource: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
    method: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16,
        pattern: '^[A-Za-z_-]+$',
        description: 'How it asked (an HTTP method, an operation name): kept in usage events.',
      }),
    ),
    userAgent: Type.Optional(Text({ maxLength: 256 })),
  },
  {
    additionalProperties: false,
    examples: [{ key: EXAMPLE.key, scopes: 'billing:read', ip: '203.0.113.7', resource: '/invoices', method: 'GET' }],
  },
);

export const VerifyAnswer = Answer(
  'The verdict: `valid` and a `code` (an invalid key is an answer, not an error). A key that was found is described, whatever the code.',
  Type.Object(
    {
      valid: Type.Boolean(),
      code: OneOf(VERIFY_CODES, { description: 'Stable: `VALID`, or why the key does not pass (docs/api-keys.md).' }),
      keyId: Type.Optional(Type.String()),
      keyspaceId: Type.Optional(Type.String()),
      ownerId: Type.Optional(Nullable(Type.String())),
      name: Type.Optional(Nullable(Type.String())),
      scopes: Type.Optional(Type.Array(Type.String())),
      meta: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
      environment: Type.Optional(Nullable(Type.String())),
      expiresAt: Type.Optional(Nullable(Time)),
      credits: Type.Optional(Nullable(Type.Object({ remaining: Type.Integer() }))),
      ratelimits: Type.Optional(
        Type.Array(Type.Object({ name: Type.String(), limit: Type.Integer(), remaining: Type.Integer(), reset: Time })),
      ),
    },
    {
      examples: [
        {
          valid: true,
          code: 'VALID',
          ...pick(keyExample, ['keyId', 'keyspaceId', 'ownerId', 'name', 'scopes', 'meta', 'environment', 'expiresAt', 'credits']),
          ratelimits: [{ name: 'requests', limit: 100, remaining: 99, reset: '2026-03-02T09:59:00.000Z' }],
        },
        { valid: false, code: 'NOT_FOUND' },
      ],
    },
  ),
);
