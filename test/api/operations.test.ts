import { connect } from 'node:net';
import { keyChecksum, parseKey } from '@tessera/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

describe('operations endpoints', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('answers health and readiness', async () => {
    expect((await s.api('GET', '/healthz', undefined, null)).body).toEqual({ status: 'ok' });
    expect((await s.api('GET', '/readyz', undefined, null)).status).toBe(200);
  });

  it('exports tessera_ metrics: verifications by code, latency histogram, cache hit ratio', async () => {
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'm', prefix: 'm' });
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    await s.api('POST', '/v1/keys/verify', { key: body.key });
    await s.api('POST', '/v1/keys/verify', { key: body.key });
    await s.api('POST', '/v1/keys/verify', { key: 'bad' });
    const res = await fetch(`${s.url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/^tessera_verifications_total\{code="VALID"\} 2$/m);
    expect(text).toMatch(/^tessera_verifications_total\{code="MALFORMED"\} 1$/m);
    expect(text).toMatch(/^tessera_verify_duration_seconds_count 3$/m);
    expect(text).toMatch(/^tessera_verify_duration_seconds_bucket\{le="\+Inf"\} 3$/m);
    expect(text).toMatch(/^tessera_key_cache_hit_ratio 0\.5$/m); // one miss (first use), one hit
  });

  it('counts a cache miss only when the store is asked: never for a malformed key, once for an unknown one', async () => {
    const counter = async (name: string) =>
      Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${s.url}/metrics`)).text())?.[1]);
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'c', prefix: 'c' });
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    const before = { hits: await counter('tessera_key_cache_hits_total'), misses: await counter('tessera_key_cache_misses_total') };
    // Right length and shape, wrong checksum: refused before the cache is trusted or the store asked.
    const wrongChecksum = body.key.slice(0, -1) + (body.key.endsWith('A') ? 'B' : 'A');
    expect((await s.api('POST', '/v1/keys/verify', { key: wrongChecksum })).body.code).toBe('MALFORMED');
    const { prefix, random } = parseKey(body.key)!;
    const unknownBody = `${prefix}_${random.slice(0, -1)}${random.endsWith('A') ? 'B' : 'A'}`;
    const unknown = unknownBody + keyChecksum(unknownBody);
    for (let i = 0; i < 2; i++) expect((await s.api('POST', '/v1/keys/verify', { key: unknown })).body.code).toBe('NOT_FOUND');
    expect((await s.api('POST', '/v1/keys/verify', { key: body.key })).body.code).toBe('VALID');
    expect((await s.api('POST', '/v1/keys/verify', { key: body.key })).body.code).toBe('VALID');
    // Misses: the unknown key's first lookup and the new key's first use; hits: the unknown key remembered, the key cached.
    expect(await counter('tessera_key_cache_misses_total')).toBe(before.misses + 2);
    expect(await counter('tessera_key_cache_hits_total')).toBe(before.hits + 2);
  });

  it('answers a cached key REVOKED right after its revocation from the copy the revocation changed, without a store read', async () => {
    const counter = async (name: string) =>
      Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${s.url}/metrics`)).text())?.[1]);
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'r', prefix: 'r' });
    const keys = await Promise.all([0, 1].map(async () => (await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id })).body));
    for (const k of keys) expect((await s.api('POST', '/v1/keys/verify', { key: k.key })).body.code).toBe('VALID');
    const misses = await counter('tessera_key_cache_misses_total');
    expect((await s.api('POST', `/v1/keys/${keys[0].keyId}/revoke`, { reason: 'leaked' })).status).toBe(200);
    const refused = await s.api('POST', '/v1/keys/verify', { key: keys[0].key });
    expect(refused.body).toMatchObject({ valid: false, code: 'REVOKED', keyId: keys[0].keyId });
    // The other key's copy is untouched; neither answer read the store.
    expect((await s.api('POST', '/v1/keys/verify', { key: keys[1].key })).body.code).toBe('VALID');
    expect(await counter('tessera_key_cache_misses_total')).toBe(misses);
    // What the store holds and what was answered agree: the revocation as written.
    const stored = (await s.api('GET', `/v1/keys/${keys[0].keyId}`)).body;
    expect(stored).toMatchObject({ revokeReason: 'leaked', revokedAt: expect.any(String) });
    const copy = s.services.verifier.cache.peekById(keys[0].keyId)!.record;
    expect({ revokedAt: new Date(copy.revokedAt!).toISOString(), revokeReason: copy.revokeReason }).toEqual({
      revokedAt: stored.revokedAt,
      revokeReason: 'leaked',
    });
  });

  it('exports what became of the usage events: recorded, then stored, none dropped or lost', async () => {
    const metric = async (result: string) => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return Number(new RegExp(`^tessera_usage_events_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    await s.services.monitoring.settle(); // what earlier tests verified is written first
    const before = { recorded: await metric('recorded'), stored: await metric('stored') };
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'u', prefix: 'u' });
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    for (let i = 0; i < 4; i++) await s.api('POST', '/v1/keys/verify', { key: body.key });
    expect(await metric('recorded')).toBe(before.recorded + 4);
    await s.services.monitoring.settle(); // the batch is written (the test server runs no timers but usage)
    expect(await metric('stored')).toBe(before.stored + 4);
    expect(await metric('dropped')).toBe(0);
    expect(await metric('lost')).toBe(0);
  });

  it('publishes an OpenAPI 3.1 document with every route of the API, and renders it', async () => {
    const doc = (await s.api('GET', '/openapi.json', undefined, null)).body;
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const r of [
      'POST /v1/root-keys',
      'GET /v1/root-keys',
      'POST /v1/root-keys/{id}/revoke',
      'POST /v1/keyspaces',
      'GET /v1/keyspaces',
      'POST /v1/keys',
      'GET /v1/keys/{keyId}',
      'GET /v1/keys',
      'PATCH /v1/keys/{keyId}',
      'POST /v1/keys/{keyId}/revoke',
      'POST /v1/keys/{keyId}/roll',
      'DELETE /v1/keys/{keyId}',
      'POST /v1/keys/verify',
      'GET /v1/audit',
      'GET /v1/audit/verify',
    ]) {
      expect(routes).toContain(r);
    }
    const html = await fetch(`${s.url}/docs/`);
    expect(html.status).toBe(200);
    expect(await html.text()).toMatch(/swagger/i);
  });

  it('answers unknown routes and unknown methods with problem+json', async () => {
    const r = await s.api('GET', '/v1/nothing-here', undefined, null);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('sends no-store and nosniff on API answers', async () => {
    const r = await s.api('GET', '/v1/keyspaces');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('request bodies', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('takes an empty JSON body as an empty object', async () => {
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'e', prefix: 'e' });
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    const res = await fetch(`${s.url}/v1/keys/${body.keyId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).revokedAt).not.toBeNull();
    // A route that needs a body still says which field is missing.
    const create = await fetch(`${s.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' },
    });
    expect(create.status).toBe(400);
    expect((await create.json()).code).toBe('VALIDATION_FAILED');
  });

  it('refuses prototype poisoning', async () => {
    const r = await s.api('POST', '/v1/keyspaces', '{"name":"p","prefix":"p","__proto__":{"admin":true}}');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('access log', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('logs one access line per management request (and unknown route): request id, method, path, status, time; none for verify', async () => {
    const before = s.logs.length;
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'access-log', prefix: 'al' });
    const created = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    await s.api('POST', '/v1/keys/verify', { key: created.body.key });
    await s.api('POST', '/v1/keyspaces', { name: '' });
    await s.api('GET', '/v1/nope?x=1', undefined, null);
    const lines = s.logs
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(lines.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
      'POST /v1/keyspaces 201',
      'POST /v1/keys 201',
      'POST /v1/keyspaces 400',
      'GET /v1/nope 404',
    ]);
    for (const l of lines) {
      expect(l).toMatchObject({ level: 30, reqId: expect.stringMatching(/^req_[0-9a-z]+$/), ms: expect.any(Number) });
      expect(Object.keys(l).sort()).toEqual(['hostname', 'level', 'method', 'ms', 'msg', 'path', 'pid', 'reqId', 'status', 'time']);
    }
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(4);
  });

  it('logs no access lines with TESSERA_LOG_REQUESTS=false', async () => {
    const quiet = await startTestServer('sqlite', { env: { TESSERA_LOG_REQUESTS: 'false' } });
    try {
      await quiet.api('POST', '/v1/keyspaces', { name: 'quiet', prefix: 'q' });
      expect(quiet.logs.some((l) => l.includes('"msg":"request"'))).toBe(false);
    } finally {
      await quiet.close();
    }
  });
});

describe("requests Node's HTTP parser refuses", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  /** Writes `raw` on a fresh connection and reads until the server closes it. */
  const exchange = (raw: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(s.url);
      const socket = connect(Number(url.port), url.hostname, () => socket.write(raw));
      let answer = '';
      socket.on('data', (d) => (answer += d));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });
  const parse = (answer: string) => {
    const [head, body] = answer.split('\r\n\r\n', 2) as [string, string];
    return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), problem: JSON.parse(body) as Record<string, unknown> };
  };

  it('headers or a URL over 16 KiB: 431 problem+json HEADERS_TOO_LARGE, connection closed', async () => {
    for (const raw of [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `DELETE /v1/keys/${'%E2%80%AE'.repeat(2_500)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const a = parse(await exchange(raw));
      expect(a.status).toBe(431);
      expect(a.head).toContain('content-type: application/problem+json');
      expect(a.head).toContain('connection: close');
      expect(a.problem).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE', type: 'urn:tessera:error:headers-too-large' });
    }
  });

  it('a malformed request: 400 problem+json VALIDATION_FAILED', async () => {
    const a = parse(await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
    expect(a.status).toBe(400);
    expect(a.head).toContain('content-type: application/problem+json');
    expect(a.problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: 'The HTTP request is malformed.' });
    // The server goes on answering.
    expect((await s.api('GET', '/healthz', undefined, null)).status).toBe(200);
  });
});
