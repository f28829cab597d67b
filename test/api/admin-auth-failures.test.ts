import { generateKey, ManualClock, ROOT_KEY_PREFIX } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { send } from '../security/raw-http.js';

/**
 * Failed management-API authentications are throttled per source network (429 with Retry-After,
 * other addresses never slowed) and audited as a sample (`root_key.auth_failed`), so a flood
 * neither guesses on nor floods the audit log.
 */
describe.each(DIALECTS)('failed root-key authentications (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.now());
  const LIMIT = 5;
  const call = (bearer: string, localAddress = '127.0.0.1') =>
    send(s.url, { method: 'GET', path: '/v1/keyspaces', headers: { authorization: `Bearer ${bearer}` }, localAddress });
  const failures = async () => (await s.api('GET', '/v1/audit?action=root_key.auth_failed', undefined, s.rootKey)).body.items;

  beforeAll(async () => {
    s = await startTestServer(dialect, {
      clock,
      env: { TESSERA_ADMIN_AUTH_FAILURE_LIMIT: String(LIMIT), TESSERA_ADMIN_AUTH_WINDOW_SECONDS: '60' },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('after the limit, the source gets 429 with Retry-After (a valid key too); other addresses are not slowed', async () => {
    const from = '127.0.0.3';
    for (let i = 0; i < LIMIT; i++) expect((await call(generateKey(ROOT_KEY_PREFIX), from)).status).toBe(401);
    const refused = await call(generateKey(ROOT_KEY_PREFIX), from);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(s.rootKey, from)).status).toBe(429); // no guessing while throttled, whatever is sent
    expect((await call(s.rootKey, '127.0.0.4')).status).toBe(200); // another address: untouched
    expect((await call(generateKey(ROOT_KEY_PREFIX), '127.0.0.4')).status).toBe(401);
    clock.advance(60_001);
    expect((await call(s.rootKey, from)).status).toBe(200); // the window ended
  });

  it('a flood writes a handful of sampled audit entries, with the count, the network and the reason', async () => {
    clock.advance(120_000);
    const from = '127.0.0.5';
    const before = (await failures()).length;
    const answers: number[] = [];
    for (let i = 0; i < 150; i++) answers.push((await call(`not-a-root-key-${i}`, from)).status);
    expect(answers.filter((a) => a === 401)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a === 429)).toHaveLength(150 - LIMIT);
    const entries = (await failures()).slice(0, (await failures()).length - before);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.length).toBeLessThanOrEqual(3); // the 1st, 10th and 100th attempt
    expect(entries[0]).toMatchObject({
      actor: 'anonymous',
      ip: from,
      details: { reason: 'throttled', network: '127.0.0.5/32', failures: 100, windowSeconds: 60 },
    });
    expect(entries.at(-1)).toMatchObject({ details: { reason: 'malformed', network: '127.0.0.5/32', failures: 1 } });
    expect(JSON.stringify(entries)).not.toContain('not-a-root-key');
  });

  it('a revoked or expired root key presented is audited against that key', async () => {
    clock.advance(120_000);
    const made = await s.api('POST', '/v1/root-keys', { name: 'doomed', permissions: ['keys:read'] });
    await s.api('POST', `/v1/root-keys/${made.body.id}/revoke`);
    expect((await call(made.body.key, '127.0.0.6')).status).toBe(401);
    const [entry] = await failures();
    expect(entry).toMatchObject({ target: made.body.id, workspaceId: 'ws_default', details: { reason: 'revoked', failures: 1 } });
    expect(JSON.stringify(entry)).not.toContain(made.body.key);
  });
});
