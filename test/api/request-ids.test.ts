import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../security/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshRequestId } from '../../apps/server/src/http/request-id.js';

const FRESH = /^req_[0-9a-z]+$/;

describe('request ids', () => {
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'ids', prefix: 'id' });
    key = (await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id })).body.key;
  });
  afterAll(() => s.close());

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    send(s.url, {
      method,
      path,
      headers: {
        authorization: `Bearer ${s.rootKey}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it('every answer carries X-Request-Id: management, verify, operations, OAuth, console API, 404, 401, refused before routing', async () => {
    const answers = await Promise.all([
      call('GET', '/v1/keyspaces'),
      call('POST', '/v1/keys/verify', {}, { key }),
      call('GET', '/healthz'),
      call('GET', '/readyz'),
      call('GET', '/openapi.json'),
      call('POST', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded' }, undefined),
      call('GET', '/console/api/session'),
      call('GET', '/v1/nope'),
      call('GET', '/v1/keyspaces', { authorization: 'Bearer nope' }),
      call('GET', `/v1/keys?key=${key}`), // KEY_IN_URL, refused in onRequest before the route runs
      call('GET', '/v1/keys/%E0%A4%A'), // a broken URL, refused by Fastify before routing
    ]);
    for (const a of answers) expect(a.headers['x-request-id'], `${a.status} ${a.text.slice(0, 80)}`).toMatch(FRESH);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 401, 401, 404, 401, 400, 400]);
    expect(new Set(answers.map((a) => a.headers['x-request-id'])).size).toBe(answers.length);
  });

  it('fresh ids are ten characters of [0-9a-z], drawn across many blocks of random bytes without a repeat', async () => {
    const ids = Array.from({ length: 5000 }, () => freshRequestId());
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-z]{10}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every character of the alphabet turns up in every position: nothing is stuck.
    for (let i = 4; i < 14; i++) expect(new Set(ids.map((id) => id[i])).size).toBe(36);
    const answers = await Promise.all(Array.from({ length: 20 }, () => call('GET', '/v1/keyspaces')));
    expect(new Set(answers.map((a) => a.headers['x-request-id'])).size).toBe(20);
  });

  it('draws every character equally often: no bias from reducing a byte modulo 36', () => {
    // 500,000 characters: about 13,889 of each, give or take 118 (one standard deviation). A byte
    // taken modulo 36 would make 0–3 about 12.5% more frequent than the others (8 of 256 against 7).
    const counts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) for (const c of freshRequestId().slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(36);
    const mean = 500_000 / 36;
    for (const [c, n] of counts) expect(Math.abs(n - mean) / mean, `${c}: ${n}`).toBeLessThan(0.05);
  });

  it('problem+json bodies name the request id of their header', async () => {
    for (const a of [
      await call('GET', '/v1/nope'),
      await call('GET', '/v1/keyspaces', { authorization: 'Bearer nope' }),
      await call('GET', `/v1/keys?key=${key}`),
      await call('GET', '/v1/keys/%E0%A4%A'),
      await call('POST', '/v1/keyspaces', {}, { name: '' }),
    ]) {
      expect(a.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(a.text).requestId).toBe(a.headers['x-request-id']);
    }
  });

  it('keeps a valid incoming X-Request-Id, and replaces one that is too long or has unsafe characters', async () => {
    const kept = 'trace-7f3a:span.01_A';
    expect((await call('GET', '/v1/keyspaces', { 'x-request-id': kept })).headers['x-request-id']).toBe(kept);
    const at128 = 'a'.repeat(128);
    expect((await call('POST', '/v1/keys/verify', { 'x-request-id': at128 }, { key })).headers['x-request-id']).toBe(at128);
    const missing = await call('GET', '/v1/nope', { 'x-request-id': kept });
    expect(missing.headers['x-request-id']).toBe(kept);
    expect(JSON.parse(missing.text).requestId).toBe(kept);
    for (const bad of ['a'.repeat(129), 'a b', 'a"b', 'a/b', 'ünï', '']) {
      expect((await call('GET', '/v1/keyspaces', { 'x-request-id': bad })).headers['x-request-id']).toMatch(FRESH);
    }
  });

  it("the request's log lines carry its id: the access line, and the line of a refusal before routing", async () => {
    const before = s.logs.length;
    await call('POST', '/v1/keyspaces', { 'x-request-id': 'log-check-1' }, { name: 'logged', prefix: 'lg' });
    await call('GET', `/v1/keys?key=${key}`, { 'x-request-id': 'log-check-2' });
    await call('GET', '/v1/nope', { 'x-request-id': 'log-check-3' });
    await new Promise((r) => setTimeout(r, 50));
    const lines = s.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'request').map((l) => `${l.reqId} ${l.status}`)).toEqual([
      'log-check-1 201',
      'log-check-2 400',
      'log-check-3 404',
    ]);
    for (const l of lines) expect(l.reqId).toMatch(/^log-check-\d$/);
  });

  it("an answer to a request Node's parser refused has a fresh id in its header and body", async () => {
    const url = new URL(s.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let answer = '';
      socket.on('data', (d) => (answer += d));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });
    const [head, body] = raw.split('\r\n\r\n', 2) as [string, string];
    const id = /\r\nx-request-id: (\S+)/i.exec(head)?.[1];
    expect(id).toMatch(FRESH);
    expect(JSON.parse(body).requestId).toBe(id);
  });
});
