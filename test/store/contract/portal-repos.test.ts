import { DEFAULT_PORTAL_SETTINGS, type PortalSessionRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, seedKeyspace, uniqueHash, useDatabase } from './records.js';

/** The portal's port: settings on the keyspace, and sessions opened once, on every backend. */
describe.each(DIALECTS)('portal repos contract (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const repos = () => database().store.portal;
  const NOW = 1_700_000_000_000;

  const session = (over: Partial<PortalSessionRecord> = {}): PortalSessionRecord => ({
    id: nextId('portalSession'),
    workspaceId: 'ws_portal',
    keyspaceId: 'ks_portal',
    ownerId: 'owner-1',
    returnUrl: 'https://app.example.com/',
    linkHash: uniqueHash(),
    linkExpiresAt: NOW + 300_000,
    openedAt: null,
    sessionHash: null,
    sessionExpiresAt: null,
    createdAt: NOW,
    ...over,
  });

  it('keeps a keyspace’s settings, undefined until set, inside a transaction too', async () => {
    const { keyspaceId } = await seedKeyspace(database().store);
    expect(await repos().getPortalSettings(keyspaceId)).toBeUndefined();
    const settings = { ...DEFAULT_PORTAL_SETTINGS, allowedScopes: ['a:b'], brandColor: '#123456', updatedAt: NOW };
    await database().store.transaction((tx) => tx.portal.setPortalSettings(keyspaceId, settings));
    expect(await repos().getPortalSettings(keyspaceId)).toEqual(settings);
  });

  it('opens a session once, by any of the link’s hashes, only before the link expires', async () => {
    const s = session();
    await repos().insertPortalSession(s);
    const cookie = { hash: uniqueHash(), expiresAt: NOW + 1_800_000 };
    expect(await repos().openPortalSession([s.linkHash], s.linkExpiresAt, cookie)).toBeUndefined(); // expired at that instant
    const opened = await repos().openPortalSession([uniqueHash(), s.linkHash], NOW + 1000, cookie);
    expect(opened).toEqual({ ...s, openedAt: NOW + 1000, sessionHash: cookie.hash, sessionExpiresAt: cookie.expiresAt });
    expect(await repos().openPortalSession([s.linkHash], NOW + 2000, { hash: uniqueHash(), expiresAt: NOW + 1_800_000 })).toBeUndefined();
    const racing = session();
    await repos().insertPortalSession(racing);
    const both = await Promise.all(
      [1, 2].map(() => repos().openPortalSession([racing.linkHash], NOW, { hash: uniqueHash(), expiresAt: NOW + 1_800_000 })),
    );
    expect(both.filter((o) => o !== undefined)).toHaveLength(1);
    expect(await repos().openPortalSession([], NOW, cookie)).toBeUndefined();
  });

  it('finds an open session by its cookie’s hashes until it ends, and drops ended ones', async () => {
    const s = session();
    await repos().insertPortalSession(s);
    const cookie = { hash: uniqueHash(), expiresAt: NOW + 1_800_000 };
    await repos().openPortalSession([s.linkHash], NOW, cookie);
    expect((await repos().findPortalSession([cookie.hash], NOW + 1_799_999))?.id).toBe(s.id);
    expect(await repos().findPortalSession([cookie.hash], NOW + 1_800_000)).toBeUndefined();
    expect(await repos().findPortalSession([s.linkHash], NOW)).toBeUndefined(); // a link is not a cookie
    expect(await repos().findPortalSession([], NOW)).toBeUndefined();
    const unopened = session();
    await repos().insertPortalSession(unopened);
    expect(await repos().deleteEndedPortalSessions(NOW + 1_000)).toBe(0);
    expect(await repos().deleteEndedPortalSessions(NOW + 1_800_001)).toBeGreaterThanOrEqual(2);
    expect(await repos().findPortalSession([cookie.hash], NOW)).toBeUndefined();
  });
});
