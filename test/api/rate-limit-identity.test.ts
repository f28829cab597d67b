import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Owner-wide rate limits count on one counter per (workspace, owner, limit name). Owner ids are
 * free text and limit names may hold `:`; joined with `:` unencoded, owner `a:b` with limit `c`
 * and owner `a` with limit `b:c` shared a counter, so one customer could spend another's limit.
 */
describe('rate-limit identities', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('keeps the counters of different owners and limit names apart, whatever characters they hold', async () => {
    const keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'rl', prefix: 'rlid' })).body.id;
    const limit = (name: string) => [{ name, limit: 1, windowMs: 3_600_000, identity: 'owner' }];
    const first = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'a:b', ratelimits: limit('c') });
    const second = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'a', ratelimits: limit('b:c') });
    const third = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'a%3Ab', ratelimits: limit('c') });
    for (const k of [first, second, third]) expect(k.status).toBe(201);
    const verify = async (key: string) => (await s.api('POST', '/v1/keys/verify', { key })).body.code;
    expect(await verify(first.body.key)).toBe('VALID');
    expect(await verify(second.body.key)).toBe('VALID');
    expect(await verify(third.body.key)).toBe('VALID');
    // Each owner's own limit still holds.
    expect(await verify(first.body.key)).toBe('RATE_LIMITED');
    expect(await verify(second.body.key)).toBe('RATE_LIMITED');
  });
});
