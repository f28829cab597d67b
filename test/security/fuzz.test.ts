import { keyChecksum, PERMISSIONS } from '@tessera/api';
import { generateKey } from '@tessera/core';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { encodeAll, expectClientAnswer, send, type RawRequest } from './raw-http.js';

/**
 * Property-based fuzzing of every route over real HTTP: wrong types, missing and extra fields,
 * hostile unicode, huge strings and bodies, deep JSON, non-JSON bodies, odd content types, broken
 * URLs. Whatever comes in, the answer is never a 5xx and every 4xx is problem+json (docs/errors.md).
 * SQLite gets the full run; PostgreSQL, whose text rules differ (no U+0000), a smaller one.
 */

const BODY_LIMIT = 65_536;

// A run is reproducible: fast-check prints its seed on failure, and TESSERA_FUZZ_SEED replays it
// (or explores other inputs: the suite was run with several seeds on both dialects).
const FUZZ_SEED = process.env.TESSERA_FUZZ_SEED;
if (FUZZ_SEED !== undefined && FUZZ_SEED !== '') fc.configureGlobal({ seed: Number(FUZZ_SEED) });

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Characters that break naive code: NUL and controls, lone surrogates, RTL and zero-width marks, URL syntax. */
const nastyChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\u001f',
      '\u007f',
      '\u202e',
      '\u202d',
      '\u200f',
      '\u200b',
      '\ufeff',
      '\uffff',
      '𝕏',
      '👩‍👩‍👧',
      'é',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('"', '\\', '%', '/', '?', '#', '&', '=', '+', '.', ':', '*', '(', ')', ' ', '\n', '_', '-') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);
const nastyString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: nastyChar, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      'undefined',
      'true',
      '0',
      '-1',
      'NaN',
      '__proto__',
      'constructor',
      '../../etc/passwd',
      "'; drop table keys; --",
      '%00',
      '\u0000',
    ),
  },
  // Long strings: past every maxLength, some past the body limit once in JSON.
  { weight: 1, arbitrary: fc.tuple(nastyChar, fc.integer({ min: 200, max: 70_000 })).map(([c, n]) => c.repeat(n)) },
);
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e15 + 1, 0.5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);
/** Any JSON value, with hostile leaves. */
const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

// ---------------------------------------------------------------------------------------------
// The routes and what their inputs look like

interface Pools {
  rootKeyIds: string[];
  keyspaceIds: string[];
  keyIds: string[];
  keys: string[];
}

/** A route's fields, each with values that are valid for it. */
type Fields = Record<string, { good: fc.Arbitrary<unknown>; required?: boolean }>;
const req = (good: fc.Arbitrary<unknown>) => ({ good, required: true });
const opt = (good: fc.Arbitrary<unknown>) => ({ good });

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 1, maxLength: 70 });
const idLike = (prefix: string) => base62.map((s) => `${prefix}_${s}`);
const text = fc.string({ minLength: 1, maxLength: 30 });
const futureIso = fc
  .date({ min: new Date(Date.now() + 86_400_000), max: new Date('2200-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const cidr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, n]) => `${ip}/${n}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, n]) => `${ip}/${n}`),
);
const scopeName = fc.stringMatching(/^[a-z]{1,8}(:[a-z*]{1,8})?$/);
const scopeExpression = fc
  .array(fc.oneof(scopeName, fc.constantFrom('and', 'or', 'not', '(', ')', '*', ':', '((((((((', '&&', '||')), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(' '));
const keyAttributes: Fields = {
  ownerId: opt(fc.oneof(text, fc.constant(null))),
  name: opt(fc.oneof(text, fc.constant(null))),
  scopes: opt(fc.array(scopeName, { maxLength: 5 })),
  meta: opt(fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }))),
  environment: opt(fc.stringMatching(/^[a-z]{1,10}$/)),
  expiresAt: opt(fc.oneof(futureIso, fc.constant(null))),
  ipAllowlist: opt(fc.array(cidr, { maxLength: 4 })),
  ratelimits: opt(
    fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z]{1,8}$/),
        limit: fc.integer({ min: 1, max: 100 }),
        windowMs: fc.integer({ min: 100, max: 100_000 }),
      }),
      { maxLength: 3, selector: (r) => r.name },
    ),
  ),
  credits: opt(
    fc.record({
      remaining: fc.integer({ min: 0, max: 1000 }),
      refill: fc.option(fc.record({ amount: fc.integer({ min: 1, max: 100 }), intervalSeconds: fc.integer({ min: 1, max: 1000 }) })),
    }),
  ),
  enabled: opt(fc.boolean()),
};

/** A path parameter: a real id, an id of the right shape, or anything at all. */
const pathParam = (ids: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.oneof(idLike('key'), idLike('ks'), idLike('rk')) },
    { weight: 3, arbitrary: nastyString.filter((s) => s.length < 2000).map(encodeAll) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%80',
        '%ED%A0%80',
        '%00',
        '..',
        '.',
        '%2F',
        '%2e%2e',
        'a'.repeat(101),
        'key_' + '0'.repeat(60),
      ),
    },
  );

/** Valid values for every required field and some optional ones. */
function validRecord(fields: Fields): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.good]));
  const requiredKeys = Object.entries(fields)
    .filter(([, f]) => f.required)
    .map(([name]) => name);
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A valid record with a field or two made hostile, one left out, or a stray one added. */
function mutatedRecord(fields: Fields): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  const some = fc.subarray(names, { maxLength: Math.min(2, names.length) });
  return fc
    .tuple(
      validRecord(fields),
      some,
      fc.array(nastyValue, { minLength: 2, maxLength: 2 }),
      some,
      fc.dictionary(nastyString, nastyValue, { maxKeys: 1 }),
    )
    .map(([valid, hostile, values, dropped, strays]) => {
      const out: Record<string, unknown> = { ...strays, ...valid };
      hostile.forEach((name, i) => (out[name] = values[i]));
      for (const name of dropped) if (!hostile.includes(name)) delete out[name];
      return out;
    });
}

/** Plausible, nearly plausible, or hostile field values. */
const record = (fields: Fields) => fc.oneof({ weight: 2, arbitrary: validRecord(fields) }, { weight: 3, arbitrary: mutatedRecord(fields) });

/** A query string: the route's parameters (maybe mutated), strays, or raw and broken syntax. */
const queryString = (fields: Fields) =>
  fc
    .tuple(
      record(fields),
      fc.option(
        fc.constantFrom('%', '&&&', '=', '%zz=1', 'a=%E0%A4%A', '&a[b]=c', 'limit=1&limit=2', 'cursor[]=x', 'key=sk_x', 'token=abc'),
        { nil: undefined, freq: 4 },
      ),
    )
    .map(([params, broken]) => {
      const pairs = Object.entries(params).map(
        ([k, v]) => `${encodeAll(k)}=${encodeAll(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`,
      );
      if (broken !== undefined) pairs.push(broken);
      const q = pairs.join('&').slice(0, 6000); // under the HTTP header limit; longer URLs are a separate test
      return q === '' ? '' : `?${q}`;
    });

interface RouteSpec {
  method: string;
  path: string;
  body?: (p: Pools) => Fields;
  query?: (p: Pools) => Fields;
  /** Ids a `:id` in the path is drawn from. */
  ids?: (p: Pools) => string[];
}

const ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: '/v1/root-keys',
    body: () => ({
      name: req(text),
      permissions: req(fc.subarray([...PERMISSIONS, '*', 'keys:*'], { minLength: 1 })),
      workspaceId: opt(fc.constant('ws_default')),
    }),
  },
  { method: 'GET', path: '/v1/root-keys' },
  // Spare root keys only: the fuzz must not revoke its own credentials.
  { method: 'POST', path: '/v1/root-keys/:id/revoke', ids: (p) => p.rootKeyIds },
  {
    method: 'POST',
    path: '/v1/keyspaces',
    body: () => ({ name: req(text), prefix: req(fc.stringMatching(/^[a-z][a-z0-9]{0,12}$/)), recoverable: opt(fc.boolean()) }),
  },
  { method: 'GET', path: '/v1/keyspaces' },
  { method: 'GET', path: '/v1/keyspaces/:id', ids: (p) => p.keyspaceIds },
  {
    method: 'POST',
    path: '/v1/keys',
    body: (p) => ({
      keyspaceId: req(fc.constantFrom(...p.keyspaceIds)),
      ttlSeconds: opt(fc.integer({ min: 1, max: 400_000_000 })),
      ...keyAttributes,
    }),
  },
  {
    method: 'GET',
    path: '/v1/keys',
    query: (p) => ({
      keyspaceId: req(fc.constantFrom(...p.keyspaceIds)),
      ownerId: opt(text),
      limit: opt(fc.integer({ min: 1, max: 1000 })),
      cursor: opt(fc.constantFrom(...p.keyIds).map((id) => Buffer.from(id).toString('base64url'))),
    }),
  },
  { method: 'GET', path: '/v1/keys/:id', ids: (p) => p.keyIds },
  { method: 'PATCH', path: '/v1/keys/:id', ids: (p) => p.keyIds, body: () => keyAttributes },
  // Rolled before they are revoked and deleted below, so some rolls succeed.
  {
    method: 'POST',
    path: '/v1/keys/:id/roll',
    ids: (p) => p.keyIds,
    body: () => ({ gracePeriodSeconds: req(fc.integer({ min: 0, max: 2_592_000 })) }),
  },
  { method: 'POST', path: '/v1/keys/:id/revoke', ids: (p) => p.keyIds, body: () => ({ reason: opt(fc.string({ maxLength: 40 })) }) },
  { method: 'DELETE', path: '/v1/keys/:id', ids: (p) => p.keyIds },
  { method: 'POST', path: '/v1/keys/revoke-by-owner', body: () => ({ ownerId: req(text), reason: opt(fc.string()) }) },
  {
    method: 'POST',
    path: '/v1/keys/verify',
    body: (p) => ({
      key: req(
        fc.oneof(
          fc.constantFrom(...p.keys),
          fc.stringMatching(/^[a-z]{1,5}$/).map((prefix) => generateKey(prefix)),
          base62.map((r) => `sk_${r}${keyChecksum(`sk_${r}`)}`),
          nastyString,
        ),
      ),
      scopes: opt(
        fc.oneof(
          scopeName,
          fc.tuple(scopeName, scopeName, scopeName).map(([a, b, c]) => `${a} and (${b} or ${c})`),
          scopeExpression,
        ),
      ),
      ip: opt(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended())),
      cost: opt(fc.integer({ min: 0, max: 1_000_000_000 })),
    }),
  },
  {
    method: 'GET',
    path: '/v1/audit',
    query: () => ({
      limit: opt(fc.integer({ min: 1, max: 1000 })),
      cursor: opt(fc.nat(1000).map((n) => Buffer.from(`seq:${n}`).toString('base64url'))),
      action: opt(fc.constantFrom('key.created', 'key.revoked')),
      actor: opt(text),
    }),
  },
  { method: 'GET', path: '/v1/audit/verify' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/docs' },
  { method: 'GET', path: '/docs/static/:id', ids: () => ['index.html', 'swagger-ui.css', 'swagger-initializer.js'] },
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/JSON',
  'application/problem+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json, text/plain',
  ';;;',
  '',
];

/** A body: JSON of the route's fields, or something that is not that at all. */
function bodyFor(fields: Fields): fc.Arbitrary<{ contentType: string | undefined; body: string | Buffer | undefined }> {
  const json = record(fields).map((r) => ({ contentType: 'application/json', body: JSON.stringify(r) }));
  const notAnObject = nastyValue.map((v) => ({ contentType: 'application/json', body: JSON.stringify(v) ?? 'null' }));
  const deep = fc
    .tuple(fc.constantFrom('[', '{"a":'), fc.integer({ min: 1, max: 12_000 }), fc.constantFrom(...Object.keys(fields), 'x'))
    .map(([open, depth, name]) => {
      const close = open === '[' ? ']' : '}';
      return { contentType: 'application/json', body: `{${JSON.stringify(name)}:${open.repeat(depth)}1${close.repeat(depth)}}` };
    });
  const notJson = fc
    .oneof(
      fc.string({ unit: nastyChar, maxLength: 200 }),
      fc.constantFrom(
        '',
        '{',
        '{"a":',
        '{"a":1,}',
        "{'a':1}",
        '[1,2',
        'NaN',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '\u0000',
        '\ufeff{}',
      ),
    )
    .map((body) => ({ contentType: 'application/json', body }));
  const badBytes = fc
    .uint8Array({ maxLength: 200 })
    .map((b) => ({ contentType: 'application/json', body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(b), Buffer.from('"}')]) }));
  const oddType = fc.tuple(json, fc.constantFrom(...CONTENT_TYPES, undefined)).map(([j, contentType]) => ({ contentType, body: j.body }));
  return fc.oneof({ weight: 10, arbitrary: json }, notAnObject, deep, notJson, badBytes, { weight: 2, arbitrary: oddType });
}

const auth = (rootKey: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${rootKey}`) },
    fc.constantFrom(
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `bearer ${rootKey}`,
      `Basic ${rootKey}`,
      `Bearer ${rootKey.slice(0, -1)}x`,
      `Bearer ${'a'.repeat(5000)}`,
      'Bearer \u00ff\u00fe',
    ),
  );

/** Requests that should get through: real ids, valid fields, the root key. */
function validRequestFor(route: RouteSpec, p: Pools, rootKey: string): fc.Arbitrary<RawRequest> {
  const path = route.ids ? fc.constantFrom(...route.ids(p)).map((id) => route.path.replaceAll(':id', id)) : fc.constant(route.path);
  const query = route.query
    ? validRecord(route.query(p)).map((q) => (Object.keys(q).length === 0 ? '' : `?${new URLSearchParams(q as Record<string, string>)}`))
    : fc.constant('');
  const body = route.body ? validRecord(route.body(p)).map((b) => JSON.stringify(b)) : fc.constant(undefined);
  return fc.tuple(path, query, body).map(([path, query, body]) => ({
    method: route.method,
    path: path + query,
    headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body,
  }));
}

function requestFor(route: RouteSpec, p: Pools, rootKey: string): fc.Arbitrary<RawRequest> {
  const path = route.ids ? pathParam(route.ids(p)).map((id) => route.path.replaceAll(':id', id)) : fc.constant(route.path);
  const query = route.query
    ? queryString(route.query(p))
    : fc.oneof({ weight: 4, arbitrary: fc.constant('') }, queryString({ x: opt(text) }));
  const body = route.body
    ? bodyFor(route.body(p))
    : fc.oneof({ weight: 3, arbitrary: fc.constant({ contentType: undefined, body: undefined }) }, bodyFor({}));
  return fc.tuple(path, query, body, auth(rootKey)).map(([path, query, { contentType, body }, authorization]) => ({
    method: route.method,
    path: path + query,
    headers: { ...(authorization !== undefined && { authorization }), ...(contentType !== undefined && { 'content-type': contentType }) },
    body,
  }));
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> };
}
type OpenApi = { paths: Record<string, Record<string, OpenApiOperation>> };

/** A route known only from its schema: any JSON for each field it names. */
function routeFromOpenApi(method: string, path: string, op: OpenApiOperation): RouteSpec {
  const anything = fc.jsonValue({ maxDepth: 2 });
  const query: Fields = Object.fromEntries(
    (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, { good: anything, required: p.required === true }]),
  );
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const body: Fields = Object.fromEntries(
    Object.keys(schema?.properties ?? {}).map((n) => [n, { good: anything, required: schema?.required?.includes(n) === true }]),
  );
  return {
    method,
    path: path.replace(/\{[^}]+\}/g, ':id'),
    ...(path.includes('{') && { ids: (p: Pools) => [...p.keyIds, ...p.keyspaceIds] }),
    ...(Object.keys(query).length > 0 && { query: () => query }),
    ...(op.requestBody !== undefined && { body: () => body }),
  };
}

// ---------------------------------------------------------------------------------------------

const RUNS: Record<Dialect, number> = { sqlite: 80, postgres: 25 };

describe.each(['sqlite', 'postgres'] as const)('fuzzing every route over HTTP (%s)', (dialect) => {
  let s: TestServer;
  const pools: Pools = { rootKeyIds: [], keyspaceIds: [], keyIds: [], keys: [] };
  /** Answers seen per route: the fuzz must reach the handlers, not only bounce off validation. */
  const seen = new Map<string, { ok: number; refused: number }>();
  const call = async (req: RawRequest, route?: RouteSpec) => {
    const res = await send(s.url, req);
    expectClientAnswer(res, req);
    if (route !== undefined) {
      const tally = seen.get(`${route.method} ${route.path}`) ?? { ok: 0, refused: 0 };
      if (res.status < 400) tally.ok++;
      else tally.refused++;
      seen.set(`${route.method} ${route.path}`, tally);
    }
    return res;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'fuzz', prefix: 'sk' });
    pools.keyspaceIds.push(ks.body.id);
    for (let i = 0; i < 2; i++)
      pools.rootKeyIds.push((await s.api('POST', '/v1/root-keys', { name: `spare ${i}`, permissions: ['keys:read'] })).body.id);
    for (let i = 0; i < 3; i++) {
      const k = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id, ownerId: `owner_${i}` });
      pools.keyIds.push(k.body.keyId);
      pools.keys.push(k.body.key);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: any body, params and query get a 4xx problem+json or a success, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(route, pools, s.rootKey), async (req) => {
          await call(req, route);
        }),
        // A few requests meant to succeed come first, so that handlers are reached on every run.
        // Twelve, not four: the "good" values still include hostile ones (a nasty key, an extended
        // IPv4 form), and four of them once all drew a refusal on PostgreSQL's shorter run.
        { numRuns: RUNS[dialect], examples: fc.sample(validRequestFor(route, pools, s.rootKey), 12).map((r) => [r] as [RawRequest]) },
      );
      // Not vacuous: some inputs got through to the handler, and some were refused.
      const tally = seen.get(`${route.method} ${route.path}`)!;
      expect(tally.ok, 'successes').toBeGreaterThan(0);
      if (route.body !== undefined || route.ids !== undefined || route.query !== undefined)
        expect(tally.refused, 'refusals').toBeGreaterThan(0);
    });
  }

  it('every other route in the OpenAPI document is fuzzed from its schema', async () => {
    // Routes added after the table above still get fuzzed, with hostile values for the fields
    // their schema names; the table only adds plausible values that reach deeper.
    const doc = JSON.parse((await call({ method: 'GET', path: '/openapi.json' })).text) as OpenApi;
    const tabled = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const others = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .map(([method, op]) => routeFromOpenApi(method.toUpperCase(), path, op))
        .filter((r) => !tabled.has(`${r.method} ${r.path}`)),
    );
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    for (const route of others) {
      await fc.assert(
        fc.asyncProperty(requestFor(route, pools, s.rootKey), async (req) => {
          await call(req);
        }),
        { numRuns: Math.ceil(RUNS[dialect] / 4) },
      );
    }
    // Some forty routes in one test: on a loaded machine (two cores shared) it took over 30 s.
  }, 180_000);

  it('bodies beyond the body limit get 413 on every route that takes one', async () => {
    for (const route of ROUTES.filter((r) => r.body !== undefined)) {
      const path = route.path.replace(':id', pools.keyIds[0]!);
      for (const size of [BODY_LIMIT + 1, 1 << 20]) {
        const body = JSON.stringify({ name: 'x'.repeat(size) });
        const res = await call({
          method: route.method,
          path,
          headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' },
          body,
        });
        expect(res.status, `${route.method} ${route.path}`).toBe(413);
        expect(JSON.parse(res.text).code).toBe('BODY_TOO_LARGE');
      }
    }
  });

  it('JSON nested 10,000 levels deep is refused, wherever it is put', async () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    for (const route of ROUTES.filter((r) => r.body !== undefined)) {
      const path = route.path.replace(':id', pools.keyIds[1]!);
      const headers = { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' };
      for (const body of [
        deep(10_000),
        deep(30_000),
        `{"keyspaceId":"${pools.keyspaceIds[0]}","meta":{"a":${deep(10_000)}}}`,
        `{"meta":{"a":${'{"b":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`,
      ]) {
        const res = await call({ method: route.method, path, headers, body });
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
    }
    // A little nesting in meta is fine.
    const ok = await s.api('POST', '/v1/keys', { keyspaceId: pools.keyspaceIds[0], meta: { a: { b: { c: [1, [2, [3]]] } } } });
    expect(ok.status).toBe(201);
  });

  it('OAuth client registration with a hostile JWKS: a 4xx, never a 5xx; only RFC 7517/7518 members kept', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    const headers = { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' };
    const registerRaw = (keysJson: string) =>
      call({
        method: 'POST',
        path: '/v1/oauth/clients',
        headers,
        body: `{"name":"hostile jwks","tokenEndpointAuthMethod":"private_key_jwt","jwks":{"keys":${keysJson}}}`,
      });
    const register = (keys: unknown) => registerRaw(JSON.stringify(keys));
    // Deep nesting under a member nobody validated: JSON.stringify of it threw RangeError (a 500).
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const withMember = (name: string, valueJson: string) => `[${JSON.stringify(jwk).slice(0, -1)},"${name}":${valueJson}}]`;
    for (const depth of [5_000, 9_000]) {
      for (const keys of [withMember('ext', deep(depth)), withMember('x5c', deep(depth)), withMember('key_ops', `[${deep(depth)}]`)]) {
        const res = await registerRaw(keys);
        expect(res.status, res.text.slice(0, 200)).toBe(400);
      }
    }
    // Members outside RFC 7517/7518, private members, oversized values: refused.
    for (const bad of [
      { ...jwk, ext: true },
      { ...jwk, x5u: 'https://attacker.example/cert' },
      { ...jwk, jku: 'https://attacker.example/jwks' },
      { ...jwk, d: jwk.x },
      { ...jwk, x: 'A'.repeat(5_000) },
      { ...jwk, kid: 'k'.repeat(300) },
      { ...jwk, x5c: Array.from({ length: 11 }, () => 'MII') },
      { ...jwk, key_ops: ['verify', { a: 1 }] },
    ]) {
      expect((await register([bad])).status, JSON.stringify(bad).slice(0, 120)).toBe(400);
    }
    // Any hostile value under any member name: a 4xx problem+json or a client that keeps only known members.
    const MEMBERS = new Set(['kty', 'use', 'key_ops', 'alg', 'kid', 'x5c', 'x5t', 'x5t#S256', 'crv', 'x', 'y', 'n', 'e']);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.oneof(nastyString, fc.constantFrom(...MEMBERS)), nastyValue, { maxKeys: 4 }), async (extra) => {
        const res = await register([{ ...jwk, ...extra }]);
        if (res.status === 201) {
          for (const k of JSON.parse(res.text).jwks.keys) for (const m of Object.keys(k)) expect(MEMBERS.has(m), m).toBe(true);
        }
      }),
      { numRuns: RUNS[dialect] },
    );
    // The genuine key is accepted.
    expect((await register([jwk])).status).toBe(201);
  });

  it('unknown routes and wrong methods are 404 or 405 problem+json', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
    const paths = fc.oneof(
      fc.constantFrom(...ROUTES.map((r) => r.path.replace(':id', pools.keyIds[0]!))),
      fc
        .array(
          fc.oneof(
            fc.constantFrom('v1', 'keys', 'verify', 'root-keys', 'audit', '..', '', '%2F', '%00', '%'),
            nastyString.filter((x) => x.length < 500).map(encodeAll),
          ),
          { maxLength: 5 },
        )
        .map((segs) => `/${segs.join('/')}`),
    );
    await fc.assert(
      fc.asyncProperty(methods, paths, auth(s.rootKey), async (method, path, authorization) => {
        await call({ method, path, headers: authorization === undefined ? {} : { authorization } });
      }),
      { numRuns: RUNS[dialect] },
    );
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/v1/keys'],
      ['DELETE', '/v1/keyspaces'],
      ['POST', '/healthz'],
      ['GET', '/v1/keys/verify/extra'],
    ] as const) {
      const res = await call({ method, path, headers: { authorization: `Bearer ${s.rootKey}` } });
      expect([404, 405], `${method} ${path}`).toContain(res.status);
    }
  });

  it('a URL longer than the HTTP header limit is refused with a 4xx, and the server carries on', async () => {
    const res = await send(s.url, {
      method: 'GET',
      path: `/v1/keys?ownerId=${'a'.repeat(20_000)}`,
      headers: { authorization: `Bearer ${s.rootKey}` },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('survived it all: still healthy, and nothing was logged as an unhandled error', async () => {
    expect((await call({ method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await call({ method: 'GET', path: '/readyz' })).status).toBe(200);
    const verified = await s.api('POST', '/v1/keys/verify', { key: generateKey('sk') });
    expect(verified.body.code).toBe('NOT_FOUND');
    const lines = s.logs
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    const errors = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });
});
