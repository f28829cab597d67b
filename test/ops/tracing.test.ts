import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, startServe } from '../support/cli.js';
import { TEST_DATABASE_URL } from '../support/databases.js';

const TEST_REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

/** An OTLP/HTTP (JSON) traces receiver on loopback, as a collector's `otlp` receiver is. */
class OtlpCollector {
  readonly bodies: string[] = [];
  private server: Server | undefined;

  async listen(): Promise<number> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        if (req.url === '/v1/traces' && req.method === 'POST') this.bodies.push(body);
        res.writeHead(req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as { port: number }).port;
  }

  spans(): OtlpSpan[] {
    return this.bodies.flatMap((b) =>
      (JSON.parse(b) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) =>
        r.scopeSpans.flatMap((s) => s.spans),
      ),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const SERVER = 2;
const CLIENT = 3;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('OpenTelemetry traces over OTLP (PostgreSQL and Redis)', () => {
  const collector = new OtlpCollector();
  const schema = `tessera_otel_${hex(5)}`;
  let dir: string;
  let url: string;
  let rootKey: string;
  let server: Awaited<ReturnType<typeof startServe>>;
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, any>;
  };
  const withPg = async (sql: string) => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    buildOnce();
    const otlpPort = await collector.listen();
    await withPg(`create schema ${schema}`);
    dir = mkdtempSync(join(tmpdir(), 'tessera-otel-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServe(['--data-dir', dir, '--port', String(port)], url, {
      TESSERA_DATABASE_URL: TEST_DATABASE_URL,
      TESSERA_DATABASE_SCHEMA: schema,
      TESSERA_REDIS_URL: TEST_REDIS_URL,
      TESSERA_REDIS_PREFIX: `${schema}:`,
      TESSERA_OTLP_TRACES: `http://127.0.0.1:${otlpPort}/v1/traces`,
    });
    rootKey = readFileSync(join(dir, 'initial-root-key'), 'utf8').trim();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await collector.close();
    await withPg(`drop schema if exists ${schema} cascade`);
    rmSync(dir, { recursive: true, force: true });
  });

  it("joins the caller's trace, names the span by its route, and puts the SQL and Redis commands under it, never a key", async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    const traceparent = (id: string) => ({ traceparent: `00-${id}-${parentId}-01` });
    const ks = await api('POST', '/v1/keyspaces', { name: 'traced', prefix: 'tr' }, traceparent(traceId));
    const key = await api('POST', '/v1/keys', { keyspaceId: ks.id, ratelimits: [{ name: 'rps', limit: 100, windowMs: 1000 }] });
    const verifyTrace = hex(16);
    expect((await api('POST', '/v1/keys/verify', { key: key.key }, traceparent(verifyTrace))).code).toBe('VALID');
    const revokeTrace = hex(16);
    await api('POST', `/v1/keys/${key.keyId}/revoke`, { reason: 'traced' }, traceparent(revokeTrace));

    const inTrace = (id: string) => collector.spans().filter((s) => s.traceId === id);
    await expect.poll(() => inTrace(revokeTrace).some((s) => s.kind === SERVER), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => inTrace(traceId).filter((s) => s.kind === CLIENT).length, { timeout: 15_000 }).toBeGreaterThan(0);

    // The request's span is the caller's child, named by the route template, with its status.
    const created = inTrace(traceId).find((s) => s.kind === SERVER)!;
    expect(created.name).toBe('POST /v1/keyspaces');
    expect(created.parentSpanId).toBe(parentId);
    expect(attr(created, 'http.response.status_code')).toBe(201);
    // Its statements are its children, as SQL with placeholders.
    const statements = inTrace(traceId).filter((s) => s.kind === CLIENT && attr(s, 'db.system.name') === 'postgresql');
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s.parentSpanId).toBe(created.spanId);
    expect(statements.some((s) => /^insert into "keyspaces"/i.test(String(attr(s, 'db.query.text'))))).toBe(true);
    expect(statements.map((s) => String(attr(s, 'db.query.text'))).join('\n')).not.toContain('traced');

    // Verify checks its rate limit in Redis, under its own span.
    const verify = inTrace(verifyTrace).find((s) => s.kind === SERVER)!;
    expect(verify.name).toBe('POST /v1/keys/verify');
    const redis = inTrace(verifyTrace).filter((s) => attr(s, 'db.system.name') === 'redis');
    expect(redis.length).toBeGreaterThan(0);
    for (const s of redis) expect(s.parentSpanId).toBe(verify.spanId);

    // The revocation publishes on the bus: a Redis command under the revoke's span.
    const revoke = inTrace(revokeTrace).find((s) => s.kind === SERVER)!;
    expect(revoke.name).toBe('POST /v1/keys/{keyId}/revoke');
    expect(inTrace(revokeTrace).some((s) => s.name === 'redis publish' && s.parentSpanId === revoke.spanId)).toBe(true);

    // Nothing exported holds a key, the root key, or a header.
    const exported = collector.bodies.join('\n');
    expect(exported).not.toContain(key.key);
    expect(exported).not.toContain(rootKey);
    expect(exported).not.toContain(rootKey.slice(-20));
    expect(exported.toLowerCase()).not.toContain('authorization');
  });

  it('starts a trace of its own for a request that brings none', async () => {
    const before = new Set(collector.spans().map((s) => s.spanId));
    await api('GET', '/v1/keyspaces');
    await expect
      .poll(() => collector.spans().filter((s) => !before.has(s.spanId) && s.name === 'GET /v1/keyspaces').length, { timeout: 15_000 })
      .toBe(1);
    const span = collector.spans().find((s) => !before.has(s.spanId) && s.name === 'GET /v1/keyspaces')!;
    expect(span.parentSpanId ?? '').toBe('');
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
