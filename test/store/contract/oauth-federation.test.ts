import type { FederatedSignInRecord, OAuthStore, UpstreamProviderRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { id, T0 } from './oauth-fixtures.js';

const provider = (over: Partial<UpstreamProviderRecord> = {}): UpstreamProviderRecord => ({
  id: id('idp'),
  workspaceId: 'ws_a',
  name: `Acme ${id('n')}`,
  issuer: 'https://sso.acme.example',
  clientId: 'tessera',
  clientSecretCiphertext: 'v1:instance:1:AAAA',
  scopes: ['openid', 'email'],
  claimMapping: { name: 'nickname' },
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const signIn = (providerId: string, over: Partial<FederatedSignInRecord> = {}): FederatedSignInRecord => ({
  stateHash: id('st'),
  workspaceId: 'ws_a',
  providerId,
  bindingHash: id('b'),
  request: 'client_id=cli_x&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb',
  createdAt: T0,
  expiresAt: T0 + 600_000,
  usedAt: null,
  ...over,
});

/** Upstream providers, linked accounts and federated sign-ins under way, the same on every backend. */
describe.each(DIALECTS)('OAuth store contract: upstream providers (%s)', (dialect) => {
  let db: TestDatabase;
  let oauth: OAuthStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    oauth = db.ports.oauth;
  });
  afterAll(() => db.drop());

  it('keeps providers: a name once per workspace, listed per workspace in id order, deleted with their links', async () => {
    const a = provider();
    expect(await oauth.insertUpstreamProvider(a)).toBe(true);
    expect(await oauth.insertUpstreamProvider(provider({ name: a.name }))).toBe(false);
    const elsewhere = provider({ name: a.name, workspaceId: 'ws_b', claimMapping: {} });
    expect(await oauth.insertUpstreamProvider(elsewhere)).toBe(true);
    const b = provider();
    await oauth.insertUpstreamProvider(b);
    expect(await oauth.getUpstreamProvider(a.id)).toEqual(a);
    expect((await oauth.listUpstreamProviders('ws_a')).map((p) => p.id)).toEqual([a.id, b.id].sort());
    expect(await oauth.listUpstreamProviders('ws_b')).toEqual([elsewhere]);
    const link = { providerId: a.id, subject: 'sub-1', userId: id('eu'), workspaceId: 'ws_a', createdAt: T0 };
    expect(await oauth.insertUpstreamLink(link)).toBe(true);
    expect(await oauth.insertUpstreamLink({ ...link, userId: id('eu') })).toBe(false);
    expect(await oauth.findUpstreamLink(a.id, 'sub-1')).toEqual(link);
    expect(await oauth.findUpstreamLink(b.id, 'sub-1')).toBeUndefined();
    expect(await oauth.deleteUpstreamProvider(a.id)).toBe(true);
    expect(await oauth.deleteUpstreamProvider(a.id)).toBe(false);
    expect(await oauth.findUpstreamLink(a.id, 'sub-1')).toBeUndefined();
    expect(await oauth.getUpstreamProvider(a.id)).toBeUndefined();
  });

  it('forgets a deleted end user’s links', async () => {
    const p = provider();
    await oauth.insertUpstreamProvider(p);
    const now = T0;
    const user = {
      id: id('eu'),
      workspaceId: 'ws_a',
      email: `${id('u')}@example.com`,
      emailVerified: true,
      name: null,
      passwordHash: '',
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
      lastSignInAt: null,
      sessionsEndedAt: null,
    };
    await oauth.insertEndUser(user);
    await oauth.insertUpstreamLink({ providerId: p.id, subject: 's', userId: user.id, workspaceId: 'ws_a', createdAt: now });
    expect(await oauth.deleteEndUser(user.id)).toBe(true);
    expect(await oauth.findUpstreamLink(p.id, 's')).toBeUndefined();
  });

  it('spends a federated sign-in once, and purges it when it expires', async () => {
    const s = signIn(id('idp'));
    await oauth.insertFederatedSignIn(s);
    expect(await oauth.findFederatedSignIn(s.stateHash)).toEqual(s);
    expect(await oauth.spendFederatedSignIn(s.stateHash, T0 + 1)).toBe(true);
    expect(await oauth.spendFederatedSignIn(s.stateHash, T0 + 2)).toBe(false);
    expect((await oauth.findFederatedSignIn(s.stateHash))?.usedAt).toBe(T0 + 1);
    expect(await oauth.spendFederatedSignIn('unknown', T0)).toBe(false);
    await oauth.purgeExpired(s.expiresAt - 1);
    expect(await oauth.findFederatedSignIn(s.stateHash)).toBeDefined();
    await oauth.purgeExpired(s.expiresAt);
    expect(await oauth.findFederatedSignIn(s.stateHash)).toBeUndefined();
  });
});
