import { CONSOLE_ROLES } from '@tessera/core';
import { Id, List, Nullable, Type } from '../../http/schemas.js';

/** The console API's shapes, shared by its routes: what they take, and what they answer. */

const Time = Type.String({ format: 'date-time' });

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const Role = Type.Enum([...CONSOLE_ROLES], {
  description: '`owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads).',
});
/** A TOTP code from an authenticator app. */
export const TotpCode = Type.String({ maxLength: 16, description: 'The six digits the authenticator app shows now.' });

/** A credential as `@simplewebauthn/browser` sends it; the library checks its inside. */
export const Credential = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
    rawId: Type.String({ maxLength: 1400 }),
    type: Type.Literal('public-key'),
    response: Type.Object({ clientDataJSON: Type.String({ maxLength: 8192 }) }, { additionalProperties: true }),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export const CREDENTIAL_EXAMPLE = {
  id: 'Y3JlZGVudGlhbC1pZA',
  rawId: 'Y3JlZGVudGlhbC1pZA',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0', authenticatorData: 'SZYN5YgO', signature: 'MEUCIQ' },
  clientExtensionResults: {},
  authenticatorAttachment: 'platform',
};

const USER_EXAMPLE = {
  id: 'usr_2x8Kq1VvY3m0',
  workspaceId: 'ws_default',
  otherWorkspaceIds: [],
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  role: 'owner',
  totpEnrolled: true,
  recoveryCodesLeft: 10,
  locked: false,
  disabled: false,
  createdAt: '2026-05-01T09:00:00.000Z',
  lastLoginAt: '2026-05-04T08:12:30.000Z',
};

/** A console user (see http/console-views.ts). */
export const ConsoleUser = Type.Object(
  {
    id: Type.String(),
    workspaceId: Type.String({
      description: 'Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in.',
    }),
    otherWorkspaceIds: Type.Array(Type.String(), {
      description: 'The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`.',
    }),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: Role,
    totpEnrolled: Type.Boolean({ description: 'Whether the TOTP second factor is set up (it is at the first sign-in).' }),
    recoveryCodesLeft: Type.Integer(),
    locked: Type.Boolean({ description: 'Locked after repeated failed second factors; `PATCH` with `unlock` lifts it.' }),
    disabled: Type.Boolean(),
    createdAt: Time,
    lastLoginAt: Nullable(Time),
  },
  { examples: [USER_EXAMPLE] },
);
export const ConsoleUserList = Type.Object(
  {
    items: Type.Array(ConsoleUser, { description: 'The users homed in the workspace.' }),
    reaching: Type.Array(ConsoleUser, { description: 'Users homed in other workspaces who reach this one; managed in their home.' }),
  },
  { examples: [{ items: [USER_EXAMPLE], reaching: [] }] },
);

/** The workspaces a console user may be given besides its home: each one the owner reaches. */
export const OtherWorkspaceIds = Type.Array(Id, {
  maxItems: 256,
  uniqueItems: true,
  description: 'The workspaces it reaches besides its home, each one you reach; those you do not reach stay as they were.',
});

const SESSION_EXAMPLE = {
  user: USER_EXAMPLE,
  stage: 'full',
  permissions: ['*'],
  csrfToken: 'k3vA0b8lW1cZ2mJ9uE5xQ7rT4yN6pD0sF8gH1jK2lM3',
  idleTimeoutSeconds: 1800,
  expiresAt: '2026-05-04T20:12:30.000Z',
  capabilities: { secrets: true, oauthClients: true, anomalies: true, hygiene: true, webhooks: true, keyring: true },
  workspaceId: 'ws_default',
  workspaceIds: ['ws_default'],
};
const Capability = Type.Boolean();

/** The signed-in session: who, with which permissions, its CSRF token, and which optional pages this build serves. */
export const SessionAnswer = Type.Object(
  {
    user: ConsoleUser,
    stage: Type.Literal('full'),
    permissions: Type.Array(Type.String(), { description: "The user's role as the permissions of the management API." }),
    csrfToken: Type.String({ description: 'Send it as `X-CSRF-Token` with every request that changes something.' }),
    idleTimeoutSeconds: Type.Integer({ description: 'The session ends after this long without a request.' }),
    expiresAt: Type.String({ format: 'date-time', description: 'The session ends then, whatever the activity.' }),
    capabilities: Type.Object(
      {
        secrets: Capability,
        oauthClients: Capability,
        anomalies: Capability,
        hygiene: Capability,
        webhooks: Capability,
        keyring: Capability,
      },
      { description: 'Pages whose API this build serves.' },
    ),
    workspaceId: Type.String({ description: 'The workspace this request acted in: the one `Tessera-Workspace` named, or the home.' }),
    workspaceIds: Type.Array(Type.String(), { description: 'Every workspace the user reaches, its home first.' }),
  },
  { examples: [SESSION_EXAMPLE] },
);

/** The signed-in session and, after an enrolment, the recovery codes (shown this once). */
export const EnrolledAnswer = Type.Object(
  {
    ...SessionAnswer.properties,
    recoveryCodes: Type.Array(Type.String(), { description: 'Ten single-use codes that stand in for a TOTP code. Shown once.' }),
  },
  { examples: [{ ...SESSION_EXAMPLE, recoveryCodes: ['k2mf-9vqa-x7re-4tnb', 'p0zc-3hwd-8kyu-6jsl'] }] },
);

const PASSKEY_EXAMPLE = {
  id: 'pk_2x8Kq1VvY3m0',
  name: 'Laptop',
  createdAt: '2026-05-01T09:00:00.000Z',
  lastUsedAt: '2026-05-04T08:12:30.000Z',
};
export const Passkey = Type.Object(
  { id: Type.String(), name: Type.String(), createdAt: Time, lastUsedAt: Nullable(Time) },
  { examples: [PASSKEY_EXAMPLE] },
);
export const PasskeyList = List(Passkey, [PASSKEY_EXAMPLE]);

const CredentialDescriptor = Type.Object({
  id: Type.String(),
  type: Type.String(),
  transports: Type.Optional(Type.Array(Type.String())),
});
const Extensions = Type.Object({}, { additionalProperties: true });

/** WebAuthn's `PublicKeyCredentialRequestOptionsJSON`: what `navigator.credentials.get` takes. */
export const PasskeyRequestOptions = Type.Object(
  {
    challenge: Type.String(),
    timeout: Type.Optional(Type.Integer()),
    rpId: Type.Optional(Type.String()),
    allowCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
    userVerification: Type.Optional(Type.String()),
    hints: Type.Optional(Type.Array(Type.String())),
    extensions: Type.Optional(Extensions),
  },
  {
    additionalProperties: true,
    examples: [
      {
        challenge: 'ieWbA1G_wuqUJBASMytd5yKlU7TTYG3VPn26BMWn3fs',
        rpId: 'tessera.example.com',
        allowCredentials: [],
        timeout: 300000,
        userVerification: 'preferred',
      },
    ],
  },
);

/** WebAuthn's `PublicKeyCredentialCreationOptionsJSON`: what `navigator.credentials.create` takes. */
export const PasskeyCreationOptions = Type.Object(
  {
    challenge: Type.String(),
    rp: Type.Object({ name: Type.String(), id: Type.Optional(Type.String()) }),
    user: Type.Object({ id: Type.String(), name: Type.String(), displayName: Type.String() }),
    pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.String() })),
    timeout: Type.Optional(Type.Integer()),
    attestation: Type.Optional(Type.String()),
    excludeCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
    authenticatorSelection: Type.Optional(
      Type.Object({
        authenticatorAttachment: Type.Optional(Type.String()),
        residentKey: Type.Optional(Type.String()),
        requireResidentKey: Type.Optional(Type.Boolean()),
        userVerification: Type.Optional(Type.String()),
      }),
    ),
    attestationFormats: Type.Optional(Type.Array(Type.String())),
    extensions: Type.Optional(Extensions),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  {
    additionalProperties: true,
    examples: [
      {
        challenge: 'ieWbA1G_wuqUJBASMytd5yKlU7TTYG3VPn26BMWn3fs',
        rp: { name: 'Tessera', id: 'tessera.example.com' },
        user: { id: 'dXNyXzJ4OEtxMVZ2WTNtMA', name: 'ada@example.com', displayName: 'Ada Lovelace' },
        pubKeyCredParams: [
          { alg: -8, type: 'public-key' },
          { alg: -7, type: 'public-key' },
          { alg: -257, type: 'public-key' },
        ],
        timeout: 300000,
        attestation: 'none',
        excludeCredentials: [],
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred', requireResidentKey: true },
        extensions: { credProps: true },
        hints: [],
      },
    ],
  },
);

/** Verifications per minute by outcome (`VALID`, `NOT_FOUND`, …), the window's minutes oldest first. */
export const VerifySeries = Type.Array(Type.Object({ minute: Time, counts: Type.Record(Type.String(), Type.Integer()) }), {
  description: 'One point per minute of the window, oldest first, with counts by verify outcome.',
});
export const SERIES_EXAMPLE = [
  { minute: '2026-05-04T08:11:00.000Z', counts: { VALID: 118, NOT_FOUND: 2 } },
  { minute: '2026-05-04T08:12:00.000Z', counts: { VALID: 97 } },
];
