import { EnvelopeKeyring, keyringStatus } from '@tessera/core';
import { Type } from '../../http/schemas.js';
import { fullSession, type ConsoleApp, type ConsoleContext } from './console-context.js';

const Version = Type.Integer({ minimum: 0 });

const KeyringStatus = Type.Object(
  {
    provider: Type.String({ description: 'Where the key-encryption key is kept (`local`, `pkcs11`, …).' }),
    kekVersion: Version,
    pepperVersion: Version,
    pepperVersions: Type.Array(Version),
    dataKeys: Type.Array(
      Type.Object({
        scope: Type.String({ description: 'The workspace the data key serves, or `instance`.' }),
        version: Version,
        kekVersion: Version,
        state: Type.Union([Type.Literal('current'), Type.Literal('retired')], {
          description: '`current`: new ciphertexts use it; `retired`: it only decrypts older ones.',
        }),
        rewrapPending: Type.Boolean({ description: 'Still wrapped under an older KEK version than the current one.' }),
      }),
    ),
  },
  {
    examples: [
      {
        provider: 'local',
        kekVersion: 2,
        pepperVersion: 1,
        pepperVersions: [1],
        dataKeys: [
          { scope: 'instance', version: 1, kekVersion: 2, state: 'current', rewrapPending: false },
          { scope: 'ws_default', version: 2, kekVersion: 2, state: 'current', rewrapPending: false },
          { scope: 'ws_default', version: 1, kekVersion: 1, state: 'retired', rewrapPending: true },
        ],
      },
    ],
  },
);

/** Key custody as the console shows it: versions and states, never a key. Served when the keyring is an envelope keyring. */
export function keyringRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  const { keyring } = ctx.services;
  if (!(keyring instanceof EnvelopeKeyring)) return;

  app.get(
    '/console/api/keyring',
    {
      config: { consoleSession: 'full', consolePermission: 'root_keys:manage' },
      schema: {
        operationId: 'getKeyringStatus',
        summary: 'The keyring: KEK provider and versions, pepper versions, data keys',
        description: 'Key custody is the instance owner’s business: it needs the permission root keys need (`root_keys:manage`).',
        response: { 200: KeyringStatus },
      },
    },
    async (request) => {
      return keyringStatus(keyring, fullSession(request).user.workspaceId);
    },
  );
}
