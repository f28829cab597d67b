import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthServer, type OAuthTestServer } from '../oauth/support.js';
import { startUpstream, type Upstream } from '../oauth/upstream-provider.js';
import { PortalOwner } from '../portal/support.js';
import { DIALECTS, TEST_DATABASE_URL } from '../support/databases.js';

/**
 * Every route that names a record in its path, taken from the OpenAPI document, asked by one
 * workspace's root key (holding `*` there) about the other workspace's record, with the route's own
 * documented example as its body: refused with 404 (or 403 for what belongs to the installation),
 * and afterwards the other workspace reads all its records exactly as they were. A route added to
 * the API without a case here fails the first test.
 */

type Op = { method: string; path: string; example?: unknown };
type MediaType = { example?: unknown; examples?: Record<string, { value: unknown }>; schema?: { examples?: unknown[] } };

/** What a workspace holds: one record of every kind a route can name. */
type Side = {
  name: string;
  ws: string;
  key: string;
  rootKeyId: string;
  keyspace: string;
  keyId: string;
  apiKey: string;
  rolledKeyId: string;
  clientId: string;
  userId: string;
  providerId: string;
  secret: string;
  connection: string;
  role: string;
  leaseId: string;
  leaseUser: string;
  webhookId: string;
  anomalyId: string;
  suspensionId: string;
};

/** Routes no workspace's root key can name another's record through, and why. */
const NOT_BY_ROOT_KEY: Record<string, string> = {
  'GET /portal/open/{token}': 'the token is itself the credential: it opens the one session it was made for',
  'DELETE /console/api/passkeys/{id}': 'a console session acts in its user’s workspace (test/console)',
  'PATCH /console/api/users/{id}': 'a console session acts in its user’s workspace (test/console)',
  'GET /console/api/keys/{keyId}/usage': 'a console session acts in its user’s workspace (test/console)',
};

/** The path with the other workspace's record in each parameter. */
function foreignPath(op: Op, them: Side, kid: string): string {
  const id = (): string => {
    if (op.path.startsWith('/v1/root-keys/')) return them.rootKeyId;
    if (op.path.startsWith('/v1/workspaces/')) return them.ws;
    if (op.path.startsWith('/v1/keyspaces/')) return them.keyspace;
    throw new Error(`no record for {id} in ${op.path}`);
  };
  const name = (): string => {
    if (op.path.startsWith('/v1/databases/connections/')) return them.connection;
    if (op.path.startsWith('/v1/databases/roles/')) return them.role;
    throw new Error(`no record for {name} in ${op.path}`);
  };
  const values: Record<string, () => string> = {
    id,
    name,
    keyId: () => (op.path.endsWith('/rollover') ? them.rolledKeyId : them.keyId),
    keyspaceId: () => them.keyspace,
    clientId: () => them.clientId,
    kid: () => kid,
    userId: () => them.userId,
    providerId: () => them.providerId,
    '*': () => them.secret,
    leaseId: () => them.leaseId,
    anomalyId: () => them.anomalyId,
    suspensionId: () => them.suspensionId,
    webhookId: () => them.webhookId,
  };
  return op.path.replace(/\{([^}]+)\}/g, (_m, param: string) => {
    const value = values[param];
    if (value === undefined) throw new Error(`no record for {${param}} in ${op.path}`);
    return param === '*' ? value() : encodeURIComponent(value());
  });
}

/** What the other workspace reads of its own records, before and after. */
const snapshotPaths = (me: Side): string[] => [
  `/v1/keyspaces/${me.keyspace}`,
  `/v1/keyspaces/${me.keyspace}/policy`,
  `/v1/keyspaces/${me.keyspace}/gateway-routes`,
  `/v1/keyspaces/${me.keyspace}/portal`,
  `/v1/keys/${me.keyId}`,
  `/v1/keys/${me.rolledKeyId}/rollover`,
  `/v1/keys?limit=100`,
  `/v1/root-keys`,
  `/v1/workspaces/${me.ws}`,
  `/v1/oauth/clients/${me.clientId}`,
  `/v1/users/${me.userId}`,
  `/v1/users/${me.userId}/grants`,
  `/v1/oauth/upstream-providers/${me.providerId}`,
  `/v1/secrets/${me.secret}`,
  `/v1/secret-rotations/${me.secret}`,
  `/v1/databases/connections`,
  `/v1/databases/roles`,
  `/v1/databases/leases/${me.leaseId}`,
  `/v1/anomalies/${me.anomalyId}`,
  `/v1/suspensions`,
  `/v1/webhooks/${me.webhookId}`,
  `/v1/webhooks/${me.webhookId}/deliveries`,
];

describe.each(DIALECTS)('workspace isolation, route by route (%s)', (dialect) => {
  let s: OAuthTestServer;
  let ops: Op[];
  let kid: string;
  let upstream: Upstream;
  const sides: Side[] = [];
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });

  async function ok(side: { key: string }, method: string, path: string, body?: unknown, status = [200, 201, 204]) {
    const r = await s.api(method, path, body, side.key);
    if (!status.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function setUp(name: string): Promise<Side> {
    const made = await s.api('POST', '/v1/workspaces', { name, rootKey: { name: `${name} admin`, permissions: ['*'] } });
    expect(made.status).toBe(201);
    const me = { key: made.body.rootKey.key as string };
    const keyspace = (await ok(me, 'POST', '/v1/keyspaces', { name, prefix: `sk_${name}` })).id as string;
    const apiKey = await ok(me, 'POST', '/v1/keys', { keyspaceId: keyspace, ownerId: 'owner', name: `${name} key` });
    const second = await ok(me, 'POST', '/v1/keys', { keyspaceId: keyspace, ownerId: 'owner' });
    await ok(me, 'POST', `/v1/keys/${second.keyId}/roll`, { gracePeriodSeconds: 3600, retireWhenUnused: true });
    const rootKey = await ok(me, 'POST', '/v1/root-keys', { name: `${name} reader`, permissions: ['keys:read'] });
    const client = await ok(me, 'POST', '/v1/oauth/clients', { name: `${name} client`, scopes: ['a'] });
    const user = await ok(me, 'POST', '/v1/users', { email: `ada@${name}.example`, password: 'correct horse battery staple' });
    const provider = await ok(me, 'POST', '/v1/oauth/upstream-providers', {
      name: `${name} SSO`,
      issuer: upstream.issuer,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      scopes: ['openid', 'email'],
    });
    const secret = `${name}/only`;
    await ok(me, 'PUT', `/v1/secrets/${secret}`, { value: `${name} secret value` });
    await ok(me, 'PUT', `/v1/secret-rotations/${secret}`, { rotator: 'webhook', url: `https://rotate.${name}.example/hook`, every: null });
    const connection = `${name}-db`;
    const role = `${name}-reader`;
    await ok(me, 'PUT', `/v1/databases/connections/${connection}`, {
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
      tlsMode: 'disable',
      username: 'postgres',
      password: 'unused-the-cluster-trusts-loopback',
    });
    await ok(me, 'PUT', `/v1/databases/roles/${role}`, {
      connection,
      creationStatements: 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}};',
      defaultTtlSeconds: 3600,
      maxTtlSeconds: 7200,
    });
    const lease = await ok(me, 'POST', `/v1/databases/roles/${role}/credentials`, {});
    const webhook = await ok(me, 'POST', '/v1/webhooks', { url: `https://hooks.${name}.example/tessera`, events: ['key.revoked'] });
    await ok(me, 'PUT', `/v1/keyspaces/${keyspace}/policy`, { anomalyResponse: 'suspend', suspendMinSeverity: 'high' });
    // A key reported leaked is a finding, and is quarantined: a suspension.
    const leaked = await ok(me, 'POST', '/v1/keys', { keyspaceId: keyspace, ownerId: 'someone' });
    await ok(me, 'POST', '/v1/keys/leaked', { keys: [leaked.key], source: 'a paste site' });
    const [anomaly] = (await ok(me, 'GET', `/v1/anomalies?keyId=${leaked.keyId}`)).items;
    const [suspension] = (await ok(me, 'GET', '/v1/suspensions')).items;
    expect(anomaly?.id, 'the leak is a finding').toBeDefined();
    expect(suspension?.id, 'the finding suspended a key').toBeDefined();
    return {
      name,
      ws: made.body.workspace.id,
      key: me.key,
      rootKeyId: rootKey.id,
      keyspace,
      keyId: apiKey.keyId,
      apiKey: apiKey.key,
      rolledKeyId: second.keyId,
      clientId: client.clientId,
      userId: user.userId,
      providerId: provider.providerId,
      secret,
      connection,
      role,
      leaseId: lease.lease.leaseId,
      leaseUser: lease.username,
      webhookId: webhook.id,
      anomalyId: anomaly.id,
      suspensionId: suspension.id,
    };
  }

  beforeAll(async () => {
    await admin.connect();
    s = await startOAuthServer(dialect);
    upstream = await startUpstream(`${s.url}/oauth/federation/callback`);
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, MediaType> } }>>;
    };
    ops = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const [method, op] of Object.entries(methods)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const content = op.requestBody?.content?.['application/json'];
        // The documented example where there is one; an empty object for a body that is all optional.
        const example =
          content === undefined
            ? undefined
            : (content.example ?? Object.values(content.examples ?? {})[0]?.value ?? content.schema?.examples?.[0] ?? {});
        ops.push({ method: method.toUpperCase(), path, example });
      }
    }
    kid = (await s.api('GET', '/v1/oauth/signing-keys')).body.items.find((k: { state: string }) => k.state === 'current').kid;
    sides.push(await setUp('alpha'), await setUp('beta'));
  }, 60_000);

  afterAll(async () => {
    // The leases' logins live on the shared cluster: drop them whatever the test did.
    for (const side of sides) await admin.query(`DROP ROLE IF EXISTS "${side.leaseUser.replaceAll('"', '""')}"`).catch(() => {});
    await admin.end();
    await upstream?.close();
    await s.close();
  });

  it('knows every route that names a record, from the OpenAPI document', () => {
    expect(ops.length).toBeGreaterThan(60);
    for (const side of sides) for (const [field, value] of Object.entries(side)) expect(value, field).toMatch(/^[\w/.:-]+$/);
    const unknown: string[] = [];
    for (const op of ops) {
      const route = `${op.method} ${op.path}`;
      if (route in NOT_BY_ROOT_KEY || op.path.startsWith('/portal/')) continue;
      try {
        foreignPath(op, sides[1]!, kid);
      } catch (err) {
        unknown.push(`${route}: ${(err as Error).message}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('a root key reaches none of the other workspace’s records through any of them, and changes nothing there', async () => {
    for (const [me, them] of [
      [sides[0]!, sides[1]!],
      [sides[1]!, sides[0]!],
    ] as const) {
      const snapshot = async () => Promise.all(snapshotPaths(them).map(async (p) => [p, await ok(them, 'GET', p)]));
      const before = await snapshot();
      // Names are the caller's own namespace for the routes that make a record by its name: those go last,
      // after every other route has been asked about the other workspace's record of that name.
      const byName = (op: Op) => op.method === 'PUT' && /\{(\*|name)\}/.test(op.path);
      const ordered = [...ops.filter((op) => !byName(op)), ...ops.filter(byName)];
      const answers: string[] = [];
      for (const op of ordered) {
        const route = `${op.method} ${op.path}`;
        if (route in NOT_BY_ROOT_KEY || op.path.startsWith('/portal/')) continue;
        const path = foreignPath(op, them, kid);
        const headers: Record<string, string> = {};
        if (op.path.endsWith('/forward-auth'))
          Object.assign(headers, { 'tessera-gateway-key': me.key, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/orders/1' });
        const r = await s.api(op.method, path, op.example, op.path.endsWith('/forward-auth') ? undefined : me.key, headers);
        const expected = op.path.startsWith('/v1/oauth/signing-keys/') ? 403 : 404;
        if (byName(op)) {
          // The caller's own record of that name: made or refused, never the other's.
          answers.push(`${route} → ${r.status}`);
          expect(JSON.stringify(r.body)).not.toContain(`${them.name} secret value`);
        } else {
          const problem = (r.headers.get('content-type') ?? '').includes('application/problem+json');
          if (r.status !== expected || !problem) answers.push(`${route} → ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
      // Nothing but the name-keyed writes answered anything but a refusal.
      expect(answers.filter((a) => !/^PUT /.test(a))).toEqual([]);
      expect(await snapshot()).toEqual(before);
      // The other workspace's key still verifies and its lease's login still exists.
      expect((await ok(them, 'POST', '/v1/keys/verify', { key: them.apiKey })).code).toBe('VALID');
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [them.leaseUser]);
      expect(role.rowCount).toBe(1);
    }
  });

  it('a key owner in one workspace’s portal reaches none of the other workspace’s keys', async () => {
    const [alpha, beta] = sides as [Side, Side];
    const made = await ok(alpha, 'POST', '/v1/portal/sessions', {
      ownerId: 'owner',
      keyspaceId: alpha.keyspace,
      returnUrl: 'https://app.alpha.example/settings',
    });
    const owner = new PortalOwner(s);
    expect((await owner.open(made.url)).status).toBe(303);
    // Both workspaces have a key owned by "owner": only alpha's is this owner's.
    for (const path of [`/portal/keys/${beta.keyId}/roll`, `/portal/keys/${beta.keyId}/revoke`]) {
      const r = await owner.jar.post(`${s.url}${path}`, { csrf: await owner.csrf() });
      expect(r.status).toBe(404);
    }
    expect((await ok(beta, 'GET', `/v1/keys/${beta.keyId}`)).revokedAt).toBeNull();
    expect((await ok(beta, 'POST', '/v1/keys/verify', { key: beta.apiKey })).code).toBe('VALID');
  });
});
