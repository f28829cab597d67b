import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer, type OAuthTestServer } from '../oauth/support.js';

/**
 * Failed client authentication at the OAuth endpoints, over real HTTP, feeds the fleet-wide
 * detector: guessing a client's secret from many addresses (a couple of tries each) is found,
 * per client id and across the workspace, as one incident.
 */
describe('OAuth client-authentication failures are judged fleet-wide', () => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    // The proxy in front says where each request came from.
    s = await startOAuthServer('sqlite', { TESSERA_TRUST_PROXY: 'loopback' });
  });
  afterAll(() => s?.close());

  const MIN = 60_000;
  const fail = (path: string, clientId: string, ip: string, extra: Record<string, string> = {}) =>
    s.form(
      path,
      { grant_type: 'client_credentials', token: 'x', ...extra },
      { authorization: s.basic(clientId, 'tessera_cs_wrong'), 'x-forwarded-for': ip },
    );
  const fleet = async () => (await s.api('GET', '/v1/anomalies?kind=fleet_failures')).body.items as any[];

  it('finds a secret guessed from 40 addresses at the token, introspection and revocation endpoints; a few failures are not a finding', async () => {
    const { clientId } = await s.client({ name: 'billing' });
    // An hour of quiet baseline: a stray failure now and then.
    for (let m = 0; m < 70; m += 10) {
      expect((await fail('/oauth/token', clientId, '198.51.100.9')).status).toBe(401);
      s.clock.advance(10 * MIN);
      await s.services.monitoring.settle();
    }
    // Two failures more: nothing.
    await fail('/oauth/token', clientId, '198.51.100.10');
    await fail('/oauth/token', clientId, '198.51.100.11');
    await s.services.monitoring.settle();
    expect(await fleet()).toEqual([]);

    // Forty addresses, one or two tries each, across the three endpoints.
    const paths = ['/oauth/token', '/oauth/introspect', '/oauth/revoke'];
    for (let i = 0; i < 40; i++) {
      const r = await fail(paths[i % 3]!, clientId, `203.0.113.${i + 1}`);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'invalid_client' });
    }
    await s.services.monitoring.settle();
    const found = await fleet();
    expect(found).toHaveLength(1); // the client's scope and the workspace's: one incident
    const [f] = found;
    expect(f).toMatchObject({ severity: 'high', subject: clientId, keyId: null, details: { scope: 'oauth_client' } });
    expect(f.details.outcomes).toEqual({ INVALID_CLIENT: 42 }); // the two before, in the same 10 minutes, and the forty
    expect(f.details.sources).toBe(42);
    expect(f.explanation).toContain(`OAuth client ${clientId}`);
    expect(f.details.sampleSources.every((ip: string) => /^(203.0.113|198.51.100)\./.test(ip))).toBe(true);
    // Nothing of the secrets tried is kept.
    expect(JSON.stringify(f)).not.toContain('tessera_cs_wrong');
  });
});
