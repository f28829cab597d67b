import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer, type OAuthTestServer } from '../oauth/support.js';
import { DIALECTS } from '../support/databases.js';

/**
 * A lookup hash copied into another role's table (a restored row in the wrong place, a write by
 * someone who holds the database but not the pepper) must not let the value in through that role.
 * The syntax of the values no longer carries this alone: the pepper's HMAC input is labelled per role.
 */
describe.each(DIALECTS)('lookup hashes do not cross roles (%s)', (dialect) => {
  let s: OAuthTestServer;
  let keyspaceId: string;
  const keyring = () => s.services.keyring;
  const coldVerify = async (key: string) => {
    s.services.verifier.cache.clear();
    return (await s.api('POST', '/v1/keys/verify', { key, cost: 0 })).body;
  };
  const setClientSecretHash = async (clientId: string, hash: string) => {
    await sql`update oauth_client_secrets set hash = ${hash} where client_id = ${clientId}`.execute(s.db.store.kysely);
    await s.services.bus.publish({ kind: 'oauth_client', id: clientId }); // the client directory reads the row again
  };
  const token = (clientId: string, secret: string) =>
    s.form('/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'cross', prefix: 'sk_cross' })).body.id;
  });
  afterAll(() => s.close());

  it("a root key's hash copied into an API key row does not verify the root key as an API key", async () => {
    const apiKey = (await s.api('POST', '/v1/keys', { keyspaceId })).body;
    const root = (await s.services.store.findRootKeyByHash(keyring().hash('root_key', s.rootKey)))!;
    await s.services.store.updateKey(apiKey.keyId, { hash: root.hash, pepperVersion: root.pepperVersion });
    expect((await coldVerify(s.rootKey)).code).toBe('NOT_FOUND');
    // The control: with the hash of the same value in the API-key role, the row answers.
    await s.services.store.updateKey(apiKey.keyId, { hash: keyring().hash('api_key', s.rootKey), pepperVersion: root.pepperVersion });
    expect(await coldVerify(s.rootKey)).toMatchObject({ code: 'VALID', keyId: apiKey.keyId });
  });

  it("an API key's hash copied into a client secret row does not authenticate the client with that key", async () => {
    const apiKey = (await s.api('POST', '/v1/keys', { keyspaceId })).body;
    const { clientId } = await s.client({ scopes: ['read'], tokenEndpointAuthMethod: 'client_secret_post' });
    const record = (await s.services.store.getKey(apiKey.keyId))!;
    await setClientSecretHash(clientId, record.hash);
    expect((await token(clientId, apiKey.key)).status).toBe(401);
    await setClientSecretHash(clientId, keyring().hash('client_secret', apiKey.key));
    expect((await token(clientId, apiKey.key)).status).toBe(200);
  });
});
