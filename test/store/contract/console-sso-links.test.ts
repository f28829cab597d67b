import type { ConsoleRepos } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = 1_790_000_000_000;

/** The links of console users to upstream accounts (migration 0035), the same on every backend. */
describe.each(DIALECTS)('console repos contract: upstream links (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: ConsoleRepos;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.store.console;
  });
  afterAll(() => db.drop());

  it('finds a link by issuer and subject, exactly', async () => {
    const issuer = 'https://sso.acme.example/realms/Ops';
    expect(await repos.insertSsoLink({ issuer, subject: 'Zoë-🐢', userId: 'usr_a', createdAt: T0 })).toBe(true);
    expect(await repos.findSsoLink(issuer, 'Zoë-🐢')).toEqual({ issuer, subject: 'Zoë-🐢', userId: 'usr_a', createdAt: T0 });
    // Another issuer's same subject, a subject differing in case, a trailing slash: none of them.
    expect(await repos.findSsoLink('https://sso.other.example', 'Zoë-🐢')).toBeUndefined();
    expect(await repos.findSsoLink(issuer, 'zoë-🐢')).toBeUndefined();
    expect(await repos.findSsoLink(`${issuer}/`, 'Zoë-🐢')).toBeUndefined();
  });

  it('links an upstream account once: a second link of it is refused and changes nothing', async () => {
    const issuer = 'https://sso.acme.example';
    expect(await repos.insertSsoLink({ issuer, subject: 'ada', userId: 'usr_b', createdAt: T0 })).toBe(true);
    expect(await repos.insertSsoLink({ issuer, subject: 'ada', userId: 'usr_c', createdAt: T0 + 1 })).toBe(false);
    expect((await repos.findSsoLink(issuer, 'ada'))?.userId).toBe('usr_b');
    // The same subject at another issuer is another account.
    expect(await repos.insertSsoLink({ issuer: 'https://sso.other.example', subject: 'ada', userId: 'usr_c', createdAt: T0 })).toBe(true);
  });

  it('keeps a long issuer and subject whole', async () => {
    const issuer = `https://sso.acme.example/${'p'.repeat(480)}`;
    const subject = 's'.repeat(255);
    expect(await repos.insertSsoLink({ issuer, subject, userId: 'usr_d', createdAt: T0 })).toBe(true);
    expect(await repos.findSsoLink(issuer, subject)).toMatchObject({ issuer, subject, userId: 'usr_d' });
  });

  it('works inside a transaction, and a rolled-back link is gone', async () => {
    await db.store
      .transaction(async (tx) => {
        expect(await tx.console.insertSsoLink({ issuer: 'https://tx.example', subject: 'x', userId: 'usr_e', createdAt: T0 })).toBe(true);
        expect((await tx.console.findSsoLink('https://tx.example', 'x'))?.userId).toBe('usr_e');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await repos.findSsoLink('https://tx.example', 'x')).toBeUndefined();
  });
});
