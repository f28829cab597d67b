import type {
  ClientSecretRecord,
  EndUserRecord,
  OAuthClientRecord,
  OpaqueTokenRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
} from '@tessera/core';
import { sql, type Kysely } from 'kysely';

/** Records for the OAuth port's contract suite: every field set, so a round trip shows any field lost. */

let n = 0;
/** A fresh id with `prefix`, unique in the run. */
export const id = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(n++).toString(36).padStart(6, '0')}`;

export const T0 = 1_780_000_000_000;

export function client(over: Partial<OAuthClientRecord> = {}): OAuthClientRecord {
  return {
    id: id('cli'),
    workspaceId: 'ws_a',
    name: 'billing ✓',
    scopes: ['invoices:read', 'documents:*'],
    audience: [],
    grantTypes: ['client_credentials', 'refresh_token'],
    redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb'],
    authMethod: 'private_key_jwt',
    jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] },
    accessTokenFormat: 'opaque',
    signingAlg: 'ES256',
    accessTokenTtl: 600,
    refreshTokenTtl: 3600,
    refreshFamilyLifetime: 86_400,
    refreshGraceSeconds: 5,
    dpopBound: true,
    dpopNonce: false,
    requirePar: false,
    postLogoutRedirectUris: ['https://app.example/signed-out'],
    webOrigins: ['https://app.example'],
    secretRotationDays: null,
    secretRotationOverlapSeconds: null,
    secretRotationDueAt: null,
    secretRotationNotifiedAt: null,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    ...over,
  };
}

export function secret(clientId: string, over: Partial<ClientSecretRecord> = {}): ClientSecretRecord {
  return { id: id('cs'), clientId, hash: id('h'), pepperVersion: 2, createdAt: T0, expiresAt: null, ...over };
}

export function signingKey(over: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: id('kid'),
    alg: 'EdDSA',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'Gqb49XSpGqbbXLHsX4G_S1A7VvMQh1ScbIPwb-osDbE' },
    privateKey: 'v1.ciphertext',
    createdAt: T0,
    activatesAt: T0,
    retiresAt: T0 + 30 * 86_400_000,
    expiresAt: T0 + 31 * 86_400_000,
    ...over,
  };
}

export function family(clientId: string, over: Partial<TokenFamilyRecord> = {}): TokenFamilyRecord {
  return {
    id: id('tf'),
    workspaceId: 'ws_a',
    clientId,
    subject: 'user-42',
    apiKeyId: 'key_0Hq4C7d8E9f0G1h2I3j4K5',
    scope: ['invoices:read'],
    audience: ['https://api.example.com', 'https://other.example.com'],
    createdAt: T0,
    revokedAt: null,
    revokeReason: null,
    jkt: null,
    ...over,
  };
}

export function refreshToken(familyId: string, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { id: id('rt'), familyId, hash: id('h'), createdAt: T0, expiresAt: T0 + 3_600_000, usedAt: null, replacedById: null, ...over };
}

export function opaqueToken(clientId: string, over: Partial<OpaqueTokenRecord> = {}): OpaqueTokenRecord {
  return {
    hash: id('h'),
    jti: id('jti'),
    workspaceId: 'ws_a',
    clientId,
    subject: clientId,
    scope: ['invoices:read'],
    audience: ['https://api.example.com'],
    jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
    issuedAt: T0,
    expiresAt: T0 + 300_000,
    revokedAt: null,
    ...over,
  };
}

/** How many rows a table holds (what purging leaves). */
export async function rows(db: Kysely<unknown>, table: string): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]!.n);
}

/** An end user with every field set. */
export const endUser = (over: Partial<EndUserRecord> = {}): EndUserRecord => ({
  id: id('eu'),
  workspaceId: 'ws_a',
  email: `${id('u')}@example.com`,
  emailVerified: true,
  name: 'Ada ✓',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
  disabledAt: null,
  createdAt: T0,
  updatedAt: T0,
  lastSignInAt: null,
  sessionsEndedAt: null,
  totpSecret: null,
  totpPending: null,
  totpLastStep: null,
  ...over,
});
