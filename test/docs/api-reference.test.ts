import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

// docs/api.md lists every operation of the OpenAPI document: its resource, operationId, method,
// path and the permission it takes. The table is generated from the live document; when it is
// stale this test fails, and `npx vitest run test/docs/api-reference.test.ts -u` rewrites it
// (the prose around the table is kept as it is).

const DOC = new URL('../../docs/api.md', import.meta.url);
const START = '<!-- operations: generated from /openapi.json by test/docs/api-reference.test.ts -->';
const END = '<!-- end of operations -->';

type Operation = { operationId?: string; tags?: string[]; security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>>; security?: Record<string, string[]>[] };

/** What an operation needs to be called: a root key's permissions, a console session, or nothing. */
function access(doc: Document, op: Operation): string {
  const requirements = op.security ?? doc.security ?? [];
  if (requirements.length === 0) return 'none';
  return requirements
    .map((r) => {
      const schemes = Object.entries(r);
      if (schemes.length === 0) return 'none';
      return schemes.map(([scheme, roles]) => (roles.length > 0 ? roles.map((p) => `\`${p}\``).join(' + ') : `${scheme}`)).join(' + ');
    })
    .join(', or ');
}

/** The table of operations, by resource (the operation's first tag), then path and method. */
export function operationsTable(doc: Document): string {
  const rows = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      resource: op.tags?.[0] ?? '',
      id: op.operationId ?? '',
      method: method.toUpperCase(),
      path,
      access: access(doc, op),
    })),
  );
  rows.sort((a, b) => a.resource.localeCompare(b.resource) || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  const lines = rows.map((r) => `| ${r.resource} | ${r.id === '' ? '—' : `\`${r.id}\``} | ${r.method} | \`${r.path}\` | ${r.access} |`);
  return ['| resource | operationId | method | path | permission |', '| --- | --- | --- | --- | --- |', ...lines].join('\n');
}

describe('docs/api.md', () => {
  let server: TestServer;
  let doc: Document;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Document;
  });
  afterAll(() => server?.close());

  it('lists every operation of the OpenAPI document, with the permission it takes', async () => {
    const text = readFileSync(DOC, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, `docs/api.md holds the markers ${START} and ${END}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const rebuilt = `${text.slice(0, start + START.length)}\n\n${operationsTable(doc)}\n\n${text.slice(end)}`;
    await expect(rebuilt).toMatchFileSnapshot('../../docs/api.md');
  });
});
