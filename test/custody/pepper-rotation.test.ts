import { generateKey, type EnvelopeKeyring } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(DIALECTS)('pepper rotation (%s)', (dialect) => {
  let s: TestServer;
  let keyspaceId: string;
  const keyring = () => s.services.keyring as EnvelopeKeyring;
  const coldVerify = async (key: string, bearer?: string) => {
    s.services.verifier.cache.clear();
    s.services.rootKeys.cache.clear();
    return (await s.api('POST', '/v1/keys/verify', { key }, bearer)).body;
  };
  beforeAll(async () => {
    s = await startTestServer(dialect);
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_rot' })).body.id;
  });
  afterAll(() => s.close());

  it('new keys hash with the new pepper, old keys keep verifying and are re-hashed lazily', async () => {
    const old = (await s.api('POST', '/v1/keys', { keyspaceId })).body;
    const verifierKey = (await s.api('POST', '/v1/root-keys', { name: 'verifier', permissions: ['keys:verify'] })).body.key;
    expect(await keyring().rotatePepper()).toBe(2);

    const fresh = (await s.api('POST', '/v1/keys', { keyspaceId })).body;
    expect((await s.services.store.getKey(fresh.keyId))!.pepperVersion).toBe(2);
    expect((await s.services.store.getKey(old.keyId))!.pepperVersion).toBe(1);

    // Root keys made before the rotation still authenticate, and the old API key verifies.
    expect((await coldVerify(old.key, verifierKey)).code).toBe('VALID');
    expect((await coldVerify(fresh.key)).code).toBe('VALID');

    await s.services.rehasher.flush();
    const rehashed = (await s.services.store.getKey(old.keyId))!;
    expect(rehashed.pepperVersion).toBe(2);
    expect(rehashed.hash).toBe(keyring().hash('api_key', old.key, 2));
    expect((await coldVerify(old.key)).code).toBe('VALID');

    // Root keys used after the rotation moved too: the server's own, and the verifier.
    for (const token of [s.rootKey, verifierKey]) {
      const root = await s.services.store.findRootKeyByHash(keyring().hash('root_key', token, 2));
      expect(root?.pepperVersion).toBe(2);
    }
    expect((await coldVerify(old.key, verifierKey)).code).toBe('VALID');
  });

  it('survives a second rotation, and an unknown key is still NOT_FOUND under every version', async () => {
    const k = (await s.api('POST', '/v1/keys', { keyspaceId })).body;
    expect(await keyring().rotatePepper()).toBe(3);
    expect(keyring().pepperVersions).toEqual([3, 2, 1]);
    expect((await coldVerify(k.key)).code).toBe('VALID');
    const revoked = await s.api('POST', `/v1/keys/${k.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect((await coldVerify(k.key)).code).toBe('REVOKED');
    expect((await coldVerify(generateKey('sk_rot'))).code).toBe('NOT_FOUND');
  });
});
