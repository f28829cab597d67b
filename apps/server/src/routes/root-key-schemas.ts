import { EXAMPLE, Id, List, Nullable, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of root keys: the credentials of the management API. */

export const RootKeyBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    permissions: Type.Array(Type.String({ minLength: 1, maxLength: 230 }), {
      minItems: 1,
      maxItems: 64,
      description:
        'Permissions (`keys:create`), resource wildcards (`keys:*`), `*`, or secret grants for a name pattern (`secrets:read:payments/*`); at most what the creating root key holds.',
    }),
    workspaceId: Type.Optional(Id),
    expiresAt: Type.Optional(Nullable(Time)),
    ipAllowlist: Type.Optional(
      Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 256, description: 'CIDRs the root key may be used from.' }),
    ),
    keyspaceIds: Type.Optional(
      Nullable(
        Type.Array(Id, {
          minItems: 1,
          maxItems: 256,
          description: 'Limits the root key to these keyspaces (null or absent: the whole workspace).',
        }),
      ),
    ),
    otherWorkspaceIds: Type.Optional(
      Type.Array(Id, {
        maxItems: 256,
        description: 'Workspaces it reaches besides its own, each one the creating root key reaches (see docs/workspaces.md).',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'billing service', permissions: ['keys:verify', 'keys:read'], keyspaceIds: [EXAMPLE.keyspaceId] }],
  },
);

export const CreatedRootKey = Type.Object(
  { id: Type.String(), key: Type.String({ description: 'The root key itself: shown this once only.' }) },
  { examples: [{ id: EXAMPLE.rootKeyId, key: EXAMPLE.rootKey }] },
);

const rootKeyExample = {
  id: EXAMPLE.rootKeyId,
  workspaceId: EXAMPLE.workspaceId,
  name: 'billing service',
  start: EXAMPLE.rootKeyStart,
  permissions: ['keys:verify', 'keys:read'],
  createdAt: '2026-03-01T12:00:00.000Z',
  revokedAt: null,
  expiresAt: null,
  ipAllowlist: [],
  keyspaceIds: [EXAMPLE.keyspaceId],
  lastUsedAt: '2026-03-02T09:58:01.000Z',
  rolledToId: null,
  otherWorkspaceIds: [],
};

const RootKeyShape = Type.Object(
  {
    id: Type.String(),
    workspaceId: Type.String(),
    name: Type.String(),
    start: Type.String({ description: 'Display hint: prefix and the first and last four characters.' }),
    permissions: Type.Array(Type.String()),
    createdAt: Time,
    revokedAt: Nullable(Time),
    expiresAt: Nullable(Time),
    ipAllowlist: Type.Array(Type.String()),
    keyspaceIds: Nullable(Type.Array(Type.String(), { description: 'The keyspaces it is limited to (null: the whole workspace).' })),
    lastUsedAt: Nullable(Time),
    rolledToId: Nullable(Type.String({ description: 'The root key this one was rolled to.' })),
    otherWorkspaceIds: Type.Array(Type.String(), {
      description: 'The workspaces it reaches besides its own; a request names one with the `Tessera-Workspace` header.',
    }),
  },
  { $id: 'RootKey', description: 'A root key as Tessera keeps it: never the key itself, nor its hash.', examples: [rootKeyExample] },
);
export const RootKey = RefTo(RootKeyShape);

export const RootKeyList = List(RootKey, [rootKeyExample], 'Oldest first; a root key limited to keyspaces sees those within its own only.');

/** The named shapes above, for `app.addSchema`. */
export const ROOT_KEY_SCHEMAS = [RootKeyShape];
