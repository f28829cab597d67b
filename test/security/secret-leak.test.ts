import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { send } from './raw-http.js';

/**
 * No secret ever sits in the clear where it should not (docs/security.md): a whole session is driven
 * over HTTP — root keys, keyspaces, keys created, rolled, verified, revoked, deleted, errors
 * provoked, keys sent in URLs — and every secret it made is then searched for in the server's
 * logs, in every API answer except the one that created it, and in the bytes of the SQLite
 * database with its -wal and -shm files. Not only whole keys: any 12 characters in a row of a
 * key's random part count as a leak, so a truncated key in a log line is caught too (the
 * display hint keeps four).
 */

const WINDOW = 12;

interface Secret {
  value: string;
  /** Which answer showed it (the create or roll call): the one place it may appear. */
  shownBy: number | undefined;
  /** Replays of that answer to a retry under the same Idempotency-Key (same caller), which show it again. */
  replayedBy?: number[];
}

interface Answer {
  label: string;
  status: number;
  text: string;
}

/** The random part and checksum: what follows the last `_`. */
const bodyOf = (key: string) => key.slice(key.lastIndexOf('_') + 1);

/** Where `secret` (or any WINDOW characters of its body) occurs in `haystack`, or undefined. */
function findLeak(haystack: Buffer | string, secret: string): string | undefined {
  const hay = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  if (hay.includes(secret)) return secret;
  const body = bodyOf(secret);
  for (let i = 0; i + WINDOW <= body.length; i++) {
    const piece = body.slice(i, i + WINDOW);
    if (hay.includes(piece)) return piece;
  }
  return undefined;
}

describe('no secret leaks into logs, other answers or the database file', () => {
  let s: TestServer;
  const secrets: Secret[] = [];
  const answers: Answer[] = [];
  let dbBytes: { name: string; bytes: Buffer }[] = [];
  let keyIds: string[] = [];

  /** Calls the API and records the answer; returns it with its index. */
  const call = async (
    label: string,
    method: string,
    path: string,
    body?: unknown,
    bearer?: string | null,
    headers?: Record<string, string>,
  ) => {
    const res = await s.api(method, path, body, bearer, headers);
    const text = JSON.stringify(res.body ?? '') + JSON.stringify(Object.fromEntries(res.headers));
    answers.push({ label: `${label}: ${method} ${path.slice(0, 80)}`, status: res.status, text });
    return { ...res, index: answers.length - 1 };
  };
  const keep = (value: string, shownBy: number | undefined) => {
    expect(value).toMatch(/^[a-z][a-z0-9_]*_[0-9A-Za-z]{49}$/);
    secrets.push({ value, shownBy });
    return value;
  };

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    keep(s.rootKey, undefined);

    // Root keys: one per use, one to be revoked and then tried.
    const admin = await call('root key', 'POST', '/v1/root-keys', { name: 'admin', permissions: ['keys:*', 'keyspaces:*', 'audit:read'] });
    const adminKey = keep(admin.body.key, admin.index);
    const verifier = await call('root key', 'POST', '/v1/root-keys', { name: 'verifier', permissions: ['keys:verify'] });
    const verifierKey = keep(verifier.body.key, verifier.index);
    const doomed = await call('root key', 'POST', '/v1/root-keys', { name: 'doomed', permissions: ['keys:read'] });
    const doomedKey = keep(doomed.body.key, doomed.index);
    await call('revoke root key', 'POST', `/v1/root-keys/${doomed.body.id}/revoke`);
    await call('revoked root key', 'GET', '/v1/keyspaces', undefined, doomedKey);
    await call('root key lacking permission', 'POST', '/v1/keyspaces', { name: 'x', prefix: 'xx' }, verifierKey);

    const ks = await call('keyspace', 'POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_live' }, adminKey);
    const keyspaceId: string = ks.body.id;

    // Keys with every attribute, then their whole lifecycle.
    const created: { keyId: string; key: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const k = await call(
        'create key',
        'POST',
        '/v1/keys',
        {
          keyspaceId,
          ownerId: i < 3 ? 'cust_bulk' : `cust_${i}`,
          name: `key ${i}`,
          scopes: ['documents:*'],
          meta: { plan: 'pro', i },
          ipAllowlist: ['127.0.0.0/8', '::1/128'],
          ratelimits: [{ name: 'burst', limit: 100, windowMs: 1000 }],
          credits: { remaining: 50, refill: { amount: 50, intervalSeconds: 3600 } },
        },
        adminKey,
      );
      expect(k.status).toBe(201);
      created.push({ keyId: k.body.keyId, key: keep(k.body.key, k.index) });
    }
    keyIds = created.map((c) => c.keyId);

    // Retries under an Idempotency-Key: the replay to the same caller shows the key again; the
    // same key and body from another caller, or another body, show nothing of it.
    const admin2 = await call('root key', 'POST', '/v1/root-keys', { name: 'admin2', permissions: ['keys:*'] });
    const admin2Key = keep(admin2.body.key, admin2.index);
    const idem = { 'idempotency-key': 'leak-check-create' };
    const idemBody = { keyspaceId, ownerId: 'cust_idem', name: 'idempotent' };
    const first = await call('create key (idempotent)', 'POST', '/v1/keys', idemBody, adminKey, idem);
    const firstSecret = keep(first.body.key, first.index);
    const replay = await call('create key (replayed)', 'POST', '/v1/keys', idemBody, adminKey, idem);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.key).toBe(firstSecret);
    secrets[secrets.length - 1]!.replayedBy = [replay.index];
    const reused = await call('create key (key reused)', 'POST', '/v1/keys', { ...idemBody, name: 'other' }, adminKey, idem);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const theirs = await call('create key (another caller)', 'POST', '/v1/keys', idemBody, admin2Key, idem);
    expect(theirs.status).toBe(201);
    keep(theirs.body.key, theirs.index);
    const idemRoll = { 'idempotency-key': 'leak-check-roll' };
    const rolledOnce = await call(
      'roll (idempotent)',
      'POST',
      `/v1/keys/${first.body.keyId}/roll`,
      { gracePeriodSeconds: 0 },
      adminKey,
      idemRoll,
    );
    keep(rolledOnce.body.key, rolledOnce.index);
    const rolledAgain = await call(
      'roll (replayed)',
      'POST',
      `/v1/keys/${first.body.keyId}/roll`,
      { gracePeriodSeconds: 0 },
      adminKey,
      idemRoll,
    );
    expect(rolledAgain.body.key).toBe(rolledOnce.body.key);
    secrets[secrets.length - 1]!.replayedBy = [rolledAgain.index];
    const [a, b, c, d, e, f] = created as [
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
    ];

    for (const k of created) {
      const v = await call('verify', 'POST', '/v1/keys/verify', { key: k.key, scopes: 'documents:read', cost: 2 }, verifierKey);
      expect(v.body.code).toBe('VALID');
    }
    await call('verify scope refused', 'POST', '/v1/keys/verify', { key: a.key, scopes: 'billing:write' }, verifierKey);
    await call('verify ip refused', 'POST', '/v1/keys/verify', { key: a.key, ip: '203.0.113.9' }, verifierKey);
    await call('verify malformed', 'POST', '/v1/keys/verify', { key: a.key.slice(0, -1) + (a.key.endsWith('x') ? 'y' : 'x') }, verifierKey);
    await call('verify unknown', 'POST', '/v1/keys/verify', { key: generateKey('sk_live') }, verifierKey);

    const rolled = await call('roll', 'POST', `/v1/keys/${d.keyId}/roll`, { gracePeriodSeconds: 60 }, adminKey);
    const rolledKey = keep(rolled.body.key, rolled.index);
    await call('verify rolled', 'POST', '/v1/keys/verify', { key: rolledKey }, verifierKey);
    await call('verify old', 'POST', '/v1/keys/verify', { key: d.key }, verifierKey);
    await call('update', 'PATCH', `/v1/keys/${e.keyId}`, { enabled: false, name: 'off' }, adminKey);
    await call('verify disabled', 'POST', '/v1/keys/verify', { key: e.key }, verifierKey);
    await call('revoke', 'POST', `/v1/keys/${b.keyId}/revoke`, { reason: 'leaked' }, adminKey);
    await call('verify revoked', 'POST', '/v1/keys/verify', { key: b.key }, verifierKey);
    await call('bulk revoke', 'POST', '/v1/keys/revoke-by-owner', { ownerId: 'cust_bulk', reason: 'churned' }, adminKey);
    await call('delete', 'DELETE', `/v1/keys/${f.keyId}`, undefined, adminKey);
    await call('verify deleted', 'POST', '/v1/keys/verify', { key: f.key }, verifierKey);
    await call('roll revoked', 'POST', `/v1/keys/${c.keyId}/roll`, { gracePeriodSeconds: 0 }, adminKey);

    // Mistakes a client makes with secrets: every one must be refused without echoing them.
    for (const [label, path] of [
      ['key as query parameter', `/v1/keys?keyspaceId=${keyspaceId}&key=${a.key}`],
      ['key in another parameter', `/v1/keyspaces?q=${e.key}`],
      ['root key as token parameter', `/v1/keyspaces?token=${adminKey}`],
      ['root key as access_token on verify', `/v1/keys/verify?access_token=${verifierKey}`],
    ] as const) {
      const r = await call(label, 'GET', path, undefined, adminKey);
      expect(r.status, label).toBe(400);
      expect(r.body.code, label).toBe('KEY_IN_URL');
    }
    for (const [label, path] of [
      ['key as a key id', `/v1/keys/${a.key}`],
      ['key on an unknown route', `/v1/${e.key}`],
      ['key percent-encoded in the path', `/v1/keys/${encodeURIComponent(a.key).replaceAll('_', '%5F')}/revoke`],
    ] as const) {
      const r = await call(label, 'GET', path, undefined, adminKey);
      expect(r.status, label).toBe(400);
      expect(r.body.code, label).toBe('KEY_IN_URL');
    }
    await call('key as bearer', 'GET', '/v1/keyspaces', undefined, a.key);
    await call('key in a bad body', 'POST', '/v1/keys/verify', `{"key":"${a.key}",`, verifierKey);
    await call('key with an extra field', 'POST', '/v1/keys/verify', { key: a.key, extra: e.key }, verifierKey);
    await call('root key as verify key', 'POST', '/v1/keys/verify', { key: adminKey }, verifierKey);
    const rejected = await call('key in a rejected create', 'POST', '/v1/keys', { keyspaceId, name: { a: 1 }, ownerId: a.key }, adminKey);
    expect(rejected.status).toBe(400);

    // Everything an operator reads back.
    await call('list keys', 'GET', `/v1/keys?keyspaceId=${keyspaceId}`, undefined, adminKey);
    for (const k of created) await call('get key', 'GET', `/v1/keys/${k.keyId}`, undefined, adminKey);
    await call('get rolled', 'GET', `/v1/keys/${rolled.body.keyId}`, undefined, adminKey);
    await call('list root keys', 'GET', '/v1/root-keys');
    await call('list keyspaces', 'GET', '/v1/keyspaces', undefined, adminKey);
    await call('audit', 'GET', '/v1/audit?limit=1000', undefined, adminKey);
    await call('audit verify', 'GET', '/v1/audit/verify', undefined, adminKey);
    await call('metrics', 'GET', '/metrics', undefined, null);
    await call('openapi', 'GET', '/openapi.json', undefined, null);

    // Usage batches written, then the database files read while the server runs and after it stops.
    await s.services.usage.flush();
    const files = () => readdirSync(s.db.dataDir).filter((n) => n.startsWith('tessera.db'));
    dbBytes = files().map((name) => ({ name: `${name} (running)`, bytes: readFileSync(join(s.db.dataDir, name)) }));
    await s.app.close();
    await s.db.store.close();
    dbBytes.push(...files().map((name) => ({ name: `${name} (stopped)`, bytes: readFileSync(join(s.db.dataDir, name)) })));
  });
  afterAll(async () => {
    await s?.db.drop();
  });

  it('drove a real session: many secrets, answers, log lines and database bytes to search', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(15);
    expect(answers.length).toBeGreaterThan(40);
    expect(s.logs.join('')).toContain('"path":"/v1/keys"');
    expect(dbBytes.map((f) => f.name)).toEqual(
      expect.arrayContaining(['tessera.db (running)', 'tessera.db-wal (running)', 'tessera.db (stopped)']),
    );
    // The search itself works: each secret is found in the answer that showed it, and the
    // records it belongs to are in the database file.
    for (const secret of secrets.filter((x) => x.shownBy !== undefined))
      expect(findLeak(answers[secret.shownBy!]!.text, secret.value)).toBe(secret.value);
    const db = Buffer.concat(dbBytes.map((f) => f.bytes)).toString('latin1');
    for (const id of keyIds) expect(db).toContain(id);
  });

  it('no secret appears in the logs', () => {
    const leaks = s.logs.flatMap((line) => secrets.filter((x) => findLeak(line, x.value) !== undefined).map(() => line.slice(0, 400)));
    expect(leaks).toEqual([]);
  });

  it('no secret appears in any answer but the create or roll call that showed it', () => {
    const leaks = [];
    for (const [i, answer] of answers.entries()) {
      for (const x of secrets) {
        if (x.shownBy === i || x.replayedBy?.includes(i)) continue;
        const found = findLeak(answer.text, x.value);
        if (found !== undefined) leaks.push({ answer: answer.label, status: answer.status, found });
      }
    }
    expect(leaks).toEqual([]);
  });

  it('no secret appears in the SQLite database, its WAL or its shared-memory file', () => {
    const leaks = dbBytes.flatMap((f) =>
      secrets.map((x) => ({ file: f.name, found: findLeak(f.bytes, x.value) })).filter((l) => l.found !== undefined),
    );
    expect(leaks).toEqual([]);
  });

  it('a key sent as a URL query parameter is refused with 400 KEY_IN_URL, on any route', async () => {
    const t = await startTestServer('sqlite');
    try {
      const key = generateKey('sk_live');
      for (const path of [
        `/v1/keys/verify?key=${key}`,
        `/healthz?x=${key}`,
        `/v1/audit?actor=${key}`,
        `/nope?apikey=abc`,
        `/v1/keyspaces?API_KEY=abc`,
      ]) {
        const res = await send(t.url, { method: 'GET', path, headers: { authorization: `Bearer ${t.rootKey}` } });
        expect(res.status, path).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(res.text).code, path).toBe('KEY_IN_URL');
        expect(res.text).not.toContain(key);
      }
      expect(t.logs.join('')).not.toContain(key);
      // Each refusal leaves one access line, on a route or not, with the query cut off.
      const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
      expect(lines.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
        'GET /v1/keys/verify 400',
        'GET /healthz 400',
        'GET /v1/audit 400',
        'GET /nope 400',
        'GET /v1/keyspaces 400',
      ]);
    } finally {
      await t.close();
    }
  });
});
