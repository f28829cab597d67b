import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EAGER_ROUTES } from '../../apps/server/src/http/serializer-cache.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The OpenAPI document is the contract users read (and the SDK's types are generated from it), so
// every route Tessera serves is in it, complete: an operationId, tags, a summary, the schema of its
// success answer, the error answers it can give, and examples of what it takes and gives.

/**
 * Routes that are not API: the documentation UI, the console's page and files, the document itself,
 * and the forward-auth path Envoy's ext_authz calls with the original request's own method and path
 * appended (its documented form is `GET …/forward-auth`).
 */
const NOT_API = [/^\/docs(\/|$)/, /^\/console(\/|\/?\{\*\})?$/, /^\/openapi\.json$/, /\/forward-auth\{\*\}$/];

/** A route's shape for comparing the two lists: parameter names and slashes before a wildcard left out. */
const shape = (route: string) =>
  route
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\{\}(\|\{\})+/g, '{}')
    .replace(/\/?\{\}$/, '{}');

/** Routes whose contract is being completed; the list only shrinks, and an entry that is done fails. */
const PENDING = new Set<string>([]);

type Doc = { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, any> } };

function resolve(doc: Doc, schema: any): any {
  if (schema?.$ref === undefined) return schema;
  return doc.components?.schemas?.[String(schema.$ref).replace('#/components/schemas/', '')];
}

function hasExample(doc: Doc, media: any): boolean {
  if (media === undefined) return false;
  if (media.example !== undefined || media.examples !== undefined) return true;
  const schema = resolve(doc, media.schema);
  return schema?.example !== undefined || (Array.isArray(schema?.examples) && schema.examples.length > 0);
}

/** What an operation's contract lacks (empty when it is complete). */
export function contractGaps(doc: Doc, op: any): string[] {
  const gaps: string[] = [];
  if (typeof op.operationId !== 'string' || !/^[a-z][A-Za-z0-9]+$/.test(op.operationId)) gaps.push('operationId');
  if (!Array.isArray(op.tags) || op.tags.length === 0) gaps.push('tags');
  if (typeof op.summary !== 'string' || op.summary.length === 0) gaps.push('summary');
  const responses: Record<string, any> = op.responses ?? {};
  const success = Object.keys(responses).filter((s) => /^[23]\d\d$/.test(s));
  if (success.length === 0) gaps.push('success response');
  for (const status of success) {
    if (status === '204' || status.startsWith('3')) continue;
    const content = responses[status].content ?? {};
    const media = Object.values<any>(content);
    if (media.length === 0 || media.some((m) => m.schema === undefined || Object.keys(m.schema).length === 0)) {
      gaps.push(`${status} schema`);
    } else if (!media.some((m) => hasExample(doc, m))) gaps.push(`${status} example`);
  }
  const errors = Object.keys(responses).filter((s) => /^[45]\d\d$/.test(s));
  if (errors.length === 0) gaps.push('error responses');
  for (const status of errors) if (Object.keys(responses[status].content ?? {}).length === 0) gaps.push(`${status} schema`);
  const body = op.requestBody?.content;
  if (body !== undefined && !Object.values<any>(body).some((m) => hasExample(doc, m))) gaps.push('request example');
  return gaps;
}

/** The routes Fastify serves, as `METHOD /path` with OpenAPI's `{param}` form (HEAD left out). */
function servedRoutes(app: TestServer['app']): string[] {
  const out: string[] = [];
  let path: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[└├]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 4;
    path = [...path.slice(0, depth), m[2]!];
    const full = path
      .join('')
      .replace(/:([A-Za-z]+)/g, '{$1}')
      .replace(/\*$/, '{*}');
    for (const method of (m[3] ?? '').split(', ').filter((x) => x !== '' && x !== 'HEAD')) out.push(`${method} ${full}`);
  }
  return out;
}

describe('the OpenAPI contract', () => {
  let server: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  afterAll(() => server?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );

  it('documents every route Tessera serves', () => {
    const documented = new Set(operations().map((o) => shape(o.name)));
    const missing = servedRoutes(server.app).filter(
      (r) => !documented.has(shape(r)) && !PENDING.has(r) && !NOT_API.some((re) => re.test(r.split(' ')[1]!)),
    );
    expect(missing).toEqual([]);
  });

  it('gives every operation a complete contract', () => {
    const incomplete = operations()
      .map(({ name, op }) => ({ name, gaps: contractGaps(doc, op) }))
      .filter((o) => o.gaps.length > 0 && !PENDING.has(o.name));
    expect(incomplete).toEqual([]);
  });

  it('lists as pending only routes that are still incomplete', () => {
    const done = operations().filter(({ name, op }) => PENDING.has(name) && contractGaps(doc, op).length === 0);
    expect(done.map((o) => o.name)).toEqual([]);
    const documented = new Set(operations().map((o) => shape(o.name)));
    const served = servedRoutes(server.app);
    const undocumented = new Set(served.filter((r) => !documented.has(shape(r))));
    const known = new Set([...operations().map((o) => o.name), ...undocumented]);
    expect([...PENDING].filter((name) => !known.has(name))).toEqual([]);
  });

  // The server coerces types, so in a union of a plain type and null the plain branch would take
  // null as 0, "", false or [""] before the null branch is tried: a nullable value is one schema
  // with both types (http/schemas.ts's Nullable). Objects and references may stay unions.
  it('writes every nullable plain value as one schema with both types, not a union', () => {
    const unions: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      for (const key of ['anyOf', 'oneOf']) {
        const branches = o[key];
        if (!Array.isArray(branches) || !branches.some((b) => b?.type === 'null')) continue;
        if (branches.some((b) => typeof b?.type === 'string' && b.type !== 'null' && b.type !== 'object')) unions.push(at);
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
    };
    walk(doc, '#');
    expect(unions).toEqual([]);
    // The rule is not empty: the document does have nullable plain values.
    expect(JSON.stringify(doc)).toContain('["integer","null"]');
  });

  it('keeps a null sent for a nullable number as null', async () => {
    const keyspace = await server.api('POST', '/v1/keyspaces', { name: 'Nulls', prefix: 'nul' });
    const path = `/v1/keyspaces/${keyspace.body.id}/policy`;
    const set = await server.api('PUT', path, { creditsLowThreshold: 0, autoExpireUnusedDays: 30 });
    expect([set.status, set.body.creditsLowThreshold]).toEqual([200, 0]);
    const cleared = await server.api('PUT', path, { creditsLowThreshold: null, autoExpireUnusedDays: null });
    expect([cleared.status, cleared.body.creditsLowThreshold, cleared.body.autoExpireUnusedDays]).toEqual([200, null, null]);
  });

  it('builds the answers of verification and of every revocation ready for their first call', () => {
    // The routes whose answer validators are compiled as the server starts (serializer-cache.ts):
    // verify, and every API route that revokes something. A new revoking route must join them.
    const revoking = servedRoutes(server.app)
      .filter((r) => r.startsWith('POST /v1/') && /revoke/.test(r))
      .map((r) => r.slice('POST '.length).replace(/\{([A-Za-z]+)\}/g, ':$1'));
    expect(revoking.length).toBeGreaterThanOrEqual(4);
    expect(new Set(EAGER_ROUTES)).toEqual(new Set(['/v1/keys/verify', ...revoking]));
  });

  it('names every operation once', () => {
    const ids = operations()
      .map((o) => o.op.operationId)
      .filter((id) => id !== undefined);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});
