import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Integers beyond what a column (PostgreSQL's bigint) or a JavaScript number can hold are refused
 * by the route's schema with a 400, never passed to the database (which answered 500 with
 * "value out of range for type bigint"). Found by test/security/fuzz.test.ts; kept here as a
 * fixed input, and as a check that every integer a route accepts is bounded.
 */

interface SchemaNode {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
  schema?: SchemaNode;
  content?: Record<string, { schema?: SchemaNode }>;
}

/** Every integer or number schema under a request schema, with its path. */
function numbers(node: SchemaNode | undefined, where: string, out: { where: string; node: SchemaNode }[] = []) {
  if (node === undefined || typeof node !== 'object') return out;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('integer') || types.includes('number')) out.push({ where, node });
  for (const [k, v] of Object.entries(node.properties ?? {})) numbers(v, `${where}.${k}`, out);
  if (node.items !== undefined) numbers(node.items, `${where}[]`, out);
  for (const v of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) numbers(v, where, out);
  if (typeof node.additionalProperties === 'object') numbers(node.additionalProperties, `${where}.*`, out);
  return out;
}

describe.each(DIALECTS)('integer inputs are bounded (%s)', (dialect) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => {
    await s?.close();
  });

  const unhandled = () =>
    s.logs
      .join('')
      .split('\n')
      .filter((l) => l !== '' && (JSON.parse(l) as { level: number }).level >= 50);

  it('GET /v1/audit/export?fromSeq=9223372036854776000 (beyond bigint) is a 400, not a logged 500', async () => {
    for (const fromSeq of ['9223372036854776000', '9223372036854775808', '1e300', '9007199254740992']) {
      const r = await s.api('GET', `/v1/audit/export?fromSeq=${fromSeq}`);
      expect(r.status, fromSeq).toBe(400);
      expect(r.body, fromSeq).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const largest = await s.api('GET', `/v1/audit/export?fromSeq=${Number.MAX_SAFE_INTEGER}`);
    expect(largest.status).toBe(200);
    expect(largest.body ?? '').toBe('');
    expect(unhandled()).toEqual([]);
  });

  it('every integer a route accepts (query, path, body) has bounds within the safe integer range', async () => {
    const doc = (await s.api('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: SchemaNode[] & { name?: string }[]; requestBody?: SchemaNode }>>;
    };
    const found: { where: string; node: SchemaNode }[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of (op.parameters ?? []) as (SchemaNode & { name: string })[])
          numbers(p.schema, `${method.toUpperCase()} ${path} ?${p.name}`, found);
        for (const [type, c] of Object.entries(op.requestBody?.content ?? {}))
          numbers(c.schema, `${method.toUpperCase()} ${path} body(${type})`, found);
      }
    }
    expect(found.length).toBeGreaterThan(10);
    const unbounded = found
      .filter(
        ({ node }) =>
          node.minimum === undefined ||
          node.maximum === undefined ||
          node.minimum < Number.MIN_SAFE_INTEGER ||
          node.maximum > Number.MAX_SAFE_INTEGER,
      )
      .map((f) => f.where);
    expect(unbounded).toEqual([]);
  });
});
