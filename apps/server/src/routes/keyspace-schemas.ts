import { EXAMPLE, List, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of keyspaces: the groups keys are made in, each with the prefix its keys start with. */

export const KeyspaceBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    prefix: Type.String({
      minLength: 1,
      maxLength: 16,
      pattern: '^[a-z][a-z0-9_]*$',
      description: "What the keyspace's keys start with, before `_`: a letter, then letters, digits and `_` (not last).",
    }),
    recoverable: Type.Optional(
      Type.Boolean({ description: 'Keep each key encrypted, so `GET /v1/keys/{keyId}/recover` can read it back. Fixed at creation.' }),
    ),
  },
  { additionalProperties: false, examples: [{ name: 'Acme production', prefix: 'acme' }] },
);

const keyspaceExample = {
  id: EXAMPLE.keyspaceId,
  workspaceId: EXAMPLE.workspaceId,
  name: 'Acme production',
  prefix: 'acme',
  recoverable: false,
  createdAt: '2026-03-01T11:59:00.000Z',
};

const KeyspaceShape = Type.Object(
  {
    id: Type.String(),
    workspaceId: Type.String(),
    name: Type.String(),
    prefix: Type.String(),
    recoverable: Type.Boolean(),
    createdAt: Time,
  },
  { $id: 'Keyspace', description: 'A group of keys that share a prefix.', examples: [keyspaceExample] },
);
export const Keyspace = RefTo(KeyspaceShape);

export const KeyspaceList = List(Keyspace, [keyspaceExample], 'Oldest first; a root key limited to keyspaces sees those only.');

/** The named shapes above, for `app.addSchema`. */
export const KEYSPACE_SCHEMAS = [KeyspaceShape];
