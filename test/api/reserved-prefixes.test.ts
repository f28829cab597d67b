import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Tessera's own credentials are prefixed `tessera_…` (root keys, OAuth client secrets, opaque
 * access tokens, refresh tokens). A keyspace with such a prefix would issue keys that look like
 * them to scanners, to logs' redaction and to the token endpoints' prefix checks.
 */
describe('reserved key prefixes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('refuses `tessera` and every `tessera_…` prefix for a keyspace', async () => {
    for (const prefix of ['tessera', 'tessera_root', 'tessera_rt', 'tessera_at', 'tessera_cs', 'tessera_x']) {
      const r = await s.api('POST', '/v1/keyspaces', { name: prefix, prefix });
      expect([prefix, r.status, r.body.code]).toEqual([prefix, 400, 'VALIDATION_FAILED']);
    }
  });

  it('accepts prefixes that only begin with the same letters', async () => {
    for (const prefix of ['tesserae', 'tesseract_live'])
      expect((await s.api('POST', '/v1/keyspaces', { name: prefix, prefix })).status).toBe(201);
  });
});
