import { EXAMPLE, Nullable, ScopeName, Text, Time, Type } from '../http/schemas.js';

/** The shapes of the portal's API: sessions handed to key owners, and a keyspace's portal settings. */

export const PortalSessionBody = Type.Object(
  {
    ownerId: Text({ minLength: 1, maxLength: 256, description: 'The key owner the portal acts for, as keys carry it in `ownerId`.' }),
    keyspaceId: Type.String({ minLength: 1, maxLength: 64, description: 'The keyspace whose keys the owner manages.' }),
    returnUrl: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'Where the portal’s back link goes: an absolute `https:` URL, or `http:` on a loopback host.',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ ownerId: 'user_8412', keyspaceId: EXAMPLE.keyspaceId, returnUrl: 'https://app.example.com/settings/api' }],
  },
);

export const PortalSessionAnswer = Type.Object(
  {
    id: Type.String({ description: 'The portal session’s id, as the audit log names it.' }),
    url: Type.String({ description: 'Send the owner’s browser here. It opens the portal once, within five minutes.' }),
    expiresAt: { ...Time, description: 'Until when the URL opens the portal.' },
  },
  {
    examples: [
      {
        id: 'psn_0Hq3Zk2W7bD4sLmP9xTq1n',
        url: 'https://tessera.example.com/portal/open/Jd2m8Xq1vN4rT7yB0cF3hK6pS9wZ2eL5uA8iO1gR4tY',
        expiresAt: '2026-03-01T12:05:00.000Z',
      },
    ],
  },
);

const settingsExample = {
  keyspaceId: EXAMPLE.keyspaceId,
  maxKeysPerOwner: 5,
  allowedScopes: ['billing:read', 'billing:write'],
  maxLifetimeSeconds: 7_776_000,
  appName: 'Acme',
  logoUrl: 'https://app.example.com/logo.svg',
  brandColor: '#0a7d4f',
  updatedAt: '2026-03-01T12:00:00.000Z',
};

const settingsFields = {
  maxKeysPerOwner: Type.Integer({
    minimum: 1,
    maximum: 1000,
    description: 'The most live keys (not revoked, not expired) an owner may hold.',
  }),
  allowedScopes: Type.Array(ScopeName, { maxItems: 100, description: 'The scopes an owner may give a key; empty: keys without scopes.' }),
  maxLifetimeSeconds: Type.Integer({ minimum: 3600, maximum: 315_360_000, description: 'The longest lifetime an owner may give a key.' }),
  appName: Nullable(
    Text({
      minLength: 1,
      maxLength: 100,
      description: 'Your application, as the portal names it (“Back to …”); null: the keyspace’s name.',
    }),
  ),
  logoUrl: Nullable(Type.String({ maxLength: 2000, description: 'An `https:` image shown above the portal; null: none.' })),
  brandColor: Nullable(Type.String({ maxLength: 7, description: 'The portal’s accent colour, `#rgb` or `#rrggbb`; null: the default.' })),
};

export const PortalSettingsBody = Type.Partial(Type.Object(settingsFields), {
  additionalProperties: false,
  description: 'The settings to change; those left out stay as they are.',
  examples: [{ maxKeysPerOwner: 3, allowedScopes: ['billing:read'], brandColor: '#0a7d4f' }],
});

export const PortalSettingsAnswer = Type.Object(
  { keyspaceId: Type.String(), ...settingsFields, updatedAt: Nullable({ ...Time, description: 'Null: never set, the defaults.' }) },
  { description: 'A keyspace’s portal settings: the limits its key owners work within, and its branding.', examples: [settingsExample] },
);
