import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { generateOperationTypes, managementOperations } from './support/openapi-types.js';

// The SDK's types are generated from the live OpenAPI document; when the API changes, this test
// fails until the types are regenerated (`-u`) and the SDK compiles against them again. The
// client test (client.test.ts) checks the other direction: every operation has a working method.
describe('the SDK and the OpenAPI document', () => {
  let server: TestServer;
  let doc: Record<string, any>;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  afterAll(() => server?.close());

  it('has operation types generated from the live document', async () => {
    await expect(generateOperationTypes(doc)).toMatchFileSnapshot('../../packages/api/src/api-types.ts');
  });

  it('documents management operations to generate from', () => {
    const ops = managementOperations(doc).map((o) => o.op);
    expect(ops).toContain('POST /v1/keys');
    expect(ops).toContain('POST /v1/keys/verify');
    expect(ops.length).toBeGreaterThan(15);
  });
});
