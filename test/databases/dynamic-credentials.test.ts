import { ManualClock, type AuditRecord, type DatabaseTarget } from '@tessera/core';
import { KyselyStore } from '@tessera/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresTarget } from '../../apps/server/src/adapters/database-target/postgres-target.js';
import { commandContext } from '../../apps/server/src/cli/context.js';
import { databasesCommand } from '../../apps/server/src/cli/databases.js';
import { createDatabaseServices } from '../../apps/server/src/wiring/database-services.js';
import { psql, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Dynamic credentials against a PostgreSQL of this file's own, with password authentication: a
// credential logs in until its lease ends and is refused after; revocation ends open sessions,
// survives a node dying mid-way, happens once across two nodes, and is retried while it fails.
// Tessera's own store is a schema on the shared cluster (and, in the last block, a SQLite file);
// time moves by an injected clock.

const ADMIN = { username: 'tessera_admin', password: 'admin-Pw-7f3k9q2x' };
const CREATE = 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}; GRANT SELECT ON orders TO "{{name}}";';

let cluster: PrivatePostgres;
let superuser: pg.Client;
let server: TestServer;
let storeB: KyselyStore;
/** The workspace of the server's root key. */
let workspaceId: string;
const clock = new ManualClock(Date.now());
/** Every password handed out, to check none is kept or shown again. */
const passwords: string[] = [];

/** Logs in to the target as a credential; answers the client, or throws PostgreSQL's refusal. */
async function login(username: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user: username, password });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function canLogIn(username: string, password: string): Promise<boolean> {
  try {
    const c = await login(username, password);
    expect((await c.query('select count(*)::int as n from orders')).rows).toEqual([{ n: 2 }]);
    await c.end();
    return true;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('28P01'); // password authentication failed
    return false;
  }
}

async function roleExists(name: string): Promise<boolean> {
  return (await superuser.query('select 1 from pg_roles where rolname = $1', [name])).rowCount === 1;
}

async function credential(role = 'readonly', ttlSeconds?: number) {
  const r = await server.api('POST', `/v1/databases/roles/${role}/credentials`, ttlSeconds === undefined ? {} : { ttlSeconds });
  expect(r.status).toBe(201);
  passwords.push(r.body.password);
  return r.body as { username: string; password: string; lease: { leaseId: string; expiresAt: string; maxExpiresAt: string } };
}

async function audit(): Promise<AuditRecord[]> {
  return server.db.store.scanAudit(0, 100_000);
}

/** A node's target that counts its revocations (the real PostgreSQL target underneath). */
function counting(target: DatabaseTarget, calls: string[]): DatabaseTarget {
  return {
    verify: (c) => target.verify(c),
    createLogin: (c, s, l) => target.createLogin(c, s, l),
    renewLogin: (c, s, l) => target.renewLogin(c, s, l),
    setPassword: (c, l) => target.setPassword(c, l),
    revokeLogin: async (c, s, l) => {
      calls.push(l.name);
      await target.revokeLogin(c, s, l);
    },
  };
}

beforeAll(async () => {
  [cluster, server] = await Promise.all([startPrivatePostgres(), startTestServer('postgres', { clock })]);
  superuser = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    database: 'postgres',
    user: 'postgres',
    password: cluster.superuser.password,
  });
  await superuser.connect();
  // The admin Tessera logs in as is no superuser: it creates roles and may end their sessions.
  await superuser.query(`CREATE ROLE ${ADMIN.username} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
  await superuser.query(`GRANT pg_signal_backend TO ${ADMIN.username}`);
  await superuser.query('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)');
  await superuser.query(`GRANT SELECT ON orders TO ${ADMIN.username} WITH GRANT OPTION`);
  // A second node: its own pool on the same store (and the same keyring).
  storeB = KyselyStore.open({ kind: 'postgres', url: server.db.url!, schema: server.db.schema!, poolSize: 2 });
}, 30_000);

afterAll(async () => {
  await superuser?.end();
  await storeB?.close();
  await server?.close();
  await cluster?.stop();
});

describe('connections and roles', () => {
  it('refuses a connection that cannot log in, saying why and naming no password', async () => {
    const body = {
      host: cluster.host,
      port: cluster.port,
      database: 'postgres',
      tlsMode: 'disable',
      username: ADMIN.username,
      password: 'wrong-Pw-1',
    };
    const r = await server.api('PUT', '/v1/databases/connections/target', body);
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('TARGET_DATABASE_FAILED');
    expect(r.body.detail).toMatch(/cannot log in to the database: password authentication failed for user "tessera_admin"/);
    expect(JSON.stringify(r.body)).not.toContain('wrong-Pw-1');
    const closed = await server.api('PUT', '/v1/databases/connections/target', { ...body, port: 1, password: ADMIN.password });
    expect(closed.body.detail).toMatch(/connection refused/);
  });

  it('registers one that logs in, keeping its password only as ciphertext, never shown or audited', async () => {
    const r = await server.api('PUT', '/v1/databases/connections/target', {
      host: cluster.host,
      port: cluster.port,
      database: 'postgres',
      tlsMode: 'disable',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'target',
      plugin: 'postgresql',
      port: cluster.port,
      username: ADMIN.username,
      tlsMode: 'disable',
    });
    const listed = await server.api('GET', '/v1/databases/connections');
    workspaceId = (await server.db.store.databases.getConnectionById(r.body.id))!.workspaceId;
    const rows = await server.db.store.databases.listConnections(workspaceId);
    for (const text of [JSON.stringify(r.body), JSON.stringify(listed.body), JSON.stringify(rows), JSON.stringify(await audit())])
      expect(text).not.toContain(ADMIN.password);
    expect(rows[0]!.passwordCiphertext).toMatch(/^v1\./);
  });

  it('checks a role’s placeholders and TTLs before writing it', async () => {
    const bad = await server.api('PUT', '/v1/databases/roles/readonly', {
      connection: 'target',
      creationStatements: 'CREATE ROLE {{name}} {{pasword}}',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/\{\{pasword\}\} is not one of them/);
    const noPassword = await server.api('PUT', '/v1/databases/roles/readonly', {
      connection: 'target',
      creationStatements: 'CREATE ROLE {{name}} LOGIN',
    });
    expect(noPassword.body.detail).toMatch(/must use \{\{password\}\}/);
    const ttl = { connection: 'target', creationStatements: CREATE, defaultTtlSeconds: 600, maxTtlSeconds: 60 };
    expect((await server.api('PUT', '/v1/databases/roles/readonly', ttl)).status).toBe(400);
    const ok = await server.api('PUT', '/v1/databases/roles/readonly', {
      connection: 'target',
      creationStatements: CREATE,
      defaultTtlSeconds: 60,
      maxTtlSeconds: 120,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      name: 'readonly',
      connection: 'target',
      defaultTtlSeconds: 60,
      maxTtlSeconds: 120,
      revocationStatements: null,
    });
  });

  it('answers writers of the same new role at once with the role or a CONFLICT, never an internal error', async () => {
    const actor = { id: 'root_key:rk_test', workspaceId, ip: null };
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map(() => server.services.databases.admin.putRole(actor, 'twin', { connection: 'target', creationStatements: CREATE })),
    );
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code?: string }] : []));
    expect(failures.map((e) => e.code)).toEqual(failures.map(() => 'CONFLICT'));
    expect((await server.api('DELETE', '/v1/databases/roles/twin')).status).toBe(204);
  });

  it('keeps a root key without databases permissions out, and one with only credentials out of managing', async () => {
    const make = async (permissions: string[]) =>
      (await server.api('POST', '/v1/root-keys', { name: 'db', permissions })).body.key as string;
    const creds = await make(['databases:credentials']);
    expect((await server.api('GET', '/v1/databases/connections', undefined, creds)).status).toBe(403);
    expect((await server.api('GET', '/v1/databases/leases', undefined, creds)).status).toBe(200);
    const keys = await make(['keys:read']);
    expect((await server.api('POST', '/v1/databases/roles/readonly/credentials', {}, keys)).status).toBe(403);
  });
});

describe('credentials and their leases', () => {
  it('logs in (pg and psql) until the lease ends, and is refused after: the expiry job drops the login and ends its session', async () => {
    const c = await credential('readonly', 60);
    expect(c.username).toMatch(/^t_readonly_[a-z0-9]{16}$/);
    expect(Date.parse(c.lease.expiresAt)).toBe(clock.now() + 60_000);
    expect(await canLogIn(c.username, c.password)).toBe(true);
    expect(await canLogIn(c.username, 'not-the-password')).toBe(false);
    // psql, as an operator would use the credential.
    const select = 'select count(*) from orders';
    expect(await psql(cluster, c, select)).toMatchObject({ code: 0, stdout: '2' });
    const session = await login(c.username, c.password); // an application's connection, open at expiry
    clock.advance(59_000);
    await server.services.databases.revoker.runDue();
    expect(await canLogIn(c.username, c.password)).toBe(true);
    expect(await psql(cluster, c, select)).toMatchObject({ code: 0, stdout: '2' });
    expect((await session.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    clock.advance(1_000);
    expect(await server.services.databases.revoker.runDue()).toBeGreaterThanOrEqual(1);
    expect(await canLogIn(c.username, c.password)).toBe(false);
    await expect(session.query('select 1')).rejects.toThrow(); // its session was ended too
    const refused = await psql(cluster, c, select);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`password authentication failed for user "${c.username}"`);
    expect(await roleExists(c.username)).toBe(false);
    const lease = (await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body;
    expect(lease).toMatchObject({ state: 'revoked', revokeReason: 'expired', attempts: 1, lastError: null, nextAttemptAt: null });
    const entries = (await audit()).filter((e) => e.target === c.lease.leaseId);
    expect(entries.map((e) => [e.action, e.details.login, e.details.role])).toEqual([
      ['database_lease.issued', c.username, 'readonly'],
      ['database_lease.revoked', c.username, 'readonly'],
    ]);
    expect(entries[0]!.actor).toMatch(/^root_key:/);
    expect(entries[1]).toMatchObject({ actor: 'system', details: { reason: 'expired' } });
  });

  it('ends an open session when the lease is revoked', async () => {
    const c = await credential();
    const session = await login(c.username, c.password);
    expect((await session.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    const r = await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/revoke`);
    expect(r.body).toMatchObject({ state: 'revoked', revokeReason: 'requested', attempts: 1 });
    await expect(session.query('select 1')).rejects.toThrow();
    expect(await canLogIn(c.username, c.password)).toBe(false);
    expect((await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/revoke`)).body.state).toBe('revoked'); // again: no change
    const actions = (await audit()).filter((e) => e.target === c.lease.leaseId).map((e) => e.action);
    expect(actions).toEqual(['database_lease.issued', 'database_lease.revocation_requested', 'database_lease.revoked']);
  });

  it('records who got which credential: the lease, its audit entry and the CLI name the root key that asked', async () => {
    const made = await server.api('POST', '/v1/root-keys', { name: 'orders-reporting', permissions: ['databases:credentials'] });
    const { id, key } = made.body as { id: string; key: string };
    const r = await server.api('POST', '/v1/databases/roles/readonly/credentials', {}, key);
    expect(r.status).toBe(201);
    passwords.push(r.body.password);
    const { leaseId } = r.body.lease as { leaseId: string };
    expect(r.body.lease.issuedTo).toBe(`root_key:${id}`);
    expect((await server.api('GET', `/v1/databases/leases/${leaseId}`)).body).toMatchObject({
      login: r.body.username,
      issuedTo: `root_key:${id}`,
    });
    // The audit log, filtered by the root key's name, has the login it got.
    const issued = (await server.api('GET', '/v1/audit?actor=orders-reporting&action=database_lease.issued')).body.items;
    expect(issued).toEqual([
      expect.objectContaining({
        actor: `root_key:${id}`,
        target: leaseId,
        details: expect.objectContaining({ login: r.body.username, role: 'readonly' }),
      }),
    ]);
    // The other leases were issued to the server's own root key.
    const mine = (await server.api('GET', '/v1/databases/leases?role=readonly')).body.items as { leaseId: string; issuedTo: string }[];
    expect(mine.filter((l) => l.issuedTo === `root_key:${id}`).map((l) => l.leaseId)).toEqual([leaseId]);
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    try {
      await databasesCommand('lease', commandContext({ url: server.url, 'root-key': server.rootKey }, [leaseId]));
    } finally {
      write.mockRestore();
    }
    expect(printed.join('')).toMatch(new RegExp(`${leaseId}\\s+readonly\\s+${r.body.username}\\s+root_key:${id}\\s`));
    expect((await server.api('POST', `/v1/databases/leases/${leaseId}/revoke`)).body.state).toBe('revoked');
  });

  it('renews a lease, never past the role’s maximum TTL, and moves the login’s VALID UNTIL with it', async () => {
    const c = await credential(); // 60 s by default, 120 s at most
    const issuedAt = clock.now();
    clock.advance(50_000);
    const renewed = await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/renew`, { incrementSeconds: 30 });
    expect(renewed.body).toMatchObject({ state: 'active', renewals: 1, expiresAt: new Date(clock.now() + 30_000).toISOString() });
    clock.advance(20_000);
    const capped = await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/renew`, { incrementSeconds: 3_600 });
    expect(capped.body.expiresAt).toBe(new Date(issuedAt + 120_000).toISOString());
    expect(capped.body.expiresAt).toBe(c.lease.maxExpiresAt);
    const { rows } = await superuser.query('select rolvaliduntil from pg_roles where rolname = $1', [c.username]);
    expect((rows[0].rolvaliduntil as Date).getTime()).toBe(issuedAt + 120_000);
    clock.advance(50_000); // 120 s after issue
    await server.services.databases.revoker.runDue();
    expect(await canLogIn(c.username, c.password)).toBe(false);
    const late = await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/renew`, {});
    expect(late.status).toBe(409);
    const renewals = (await audit()).filter((e) => e.target === c.lease.leaseId && e.action === 'database_lease.renewed');
    expect(renewals.map((e) => e.details.capped)).toEqual([false, true]);
  });

  it('issues and revokes credentials granted the same table at once (role changes on the target take turns)', async () => {
    const many = await Promise.all([1, 2, 3, 4, 5].map(() => credential()));
    for (const c of many) expect(await canLogIn(c.username, c.password)).toBe(true);
    const revoked = await Promise.all(many.map((c) => server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/revoke`)));
    expect(revoked.map((r) => r.body.state)).toEqual(many.map(() => 'revoked'));
    for (const c of many) expect(await roleExists(c.username)).toBe(false);
  });

  it('lists leases by role and state, never with a password', async () => {
    const r = await server.api('GET', '/v1/databases/leases?role=readonly&state=revoked&limit=2');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(2);
    expect(r.body.items.every((l: { state: string }) => l.state === 'revoked')).toBe(true);
    const next = await server.api('GET', `/v1/databases/leases?role=readonly&state=revoked&limit=2&cursor=${r.body.nextCursor}`);
    expect(next.body.items.length).toBeGreaterThan(0);
    const everything = JSON.stringify([r.body, next.body, (await server.api('GET', '/v1/databases/leases')).body, await audit()]);
    for (const p of passwords) expect(everything).not.toContain(p);
  });

  it('undoes a credential whose creation statements fail, naming no password in the error', async () => {
    await server.api('PUT', '/v1/databases/roles/broken', {
      connection: 'target',
      creationStatements: 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}}; SELECT {{password}}::int;',
    });
    const r = await server.api('POST', '/v1/databases/roles/broken/credentials', {});
    expect(r.status).toBe(502);
    expect(r.body.detail).toMatch(
      /the creation statements failed: invalid input syntax for type integer: "\[redacted\]" \(SQLSTATE 22P02\)/,
    );
    const [lease] = (await server.api('GET', '/v1/databases/leases?role=broken')).body.items;
    expect(lease).toMatchObject({ state: 'revoked', revokeReason: 'failed' });
    expect(await roleExists(lease.login)).toBe(false);
  });
});

describe('revocation across restarts and nodes', () => {
  const nodeB = (calls: string[] = []) =>
    createDatabaseServices({ store: storeB, keyring: server.services.keyring, clock }, { target: counting(new PostgresTarget(), calls) });

  it('picks up a lease a node claimed and died holding, once the claim lapses', async () => {
    const c = await credential();
    clock.advance(60_000);
    const [due] = (await server.db.store.databases.listDueLeases(clock.now(), 100)).filter((l) => l.id === c.lease.leaseId);
    // A node claims the lease, then dies before it revokes anything.
    expect(await server.db.store.databases.claimLease(due!.id, due!.nextAttemptAt!, clock.now() + 120_000)).toBe(true);
    const calls: string[] = [];
    const restarted = nodeB(calls);
    expect(await restarted.revoker.runDue()).toBe(0);
    expect(await canLogIn(c.username, c.password)).toBe(true); // still there: the claim holds
    clock.advance(120_000);
    expect(await restarted.revoker.runDue()).toBe(1);
    expect(calls).toEqual([c.username]);
    expect(await canLogIn(c.username, c.password)).toBe(false);
    expect((await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({ state: 'revoked', attempts: 1 });
  });

  it('finishes a revocation a node died in the middle of: the login dropped, the lease not yet marked', async () => {
    const c = await credential();
    const session = await login(c.username, c.password);
    clock.advance(60_000);
    const [due] = (await server.db.store.databases.listDueLeases(clock.now(), 100)).filter((l) => l.id === c.lease.leaseId);
    // A node claims the lease and drops the login on the target (its sessions ended), then dies
    // before it records anything in the store.
    expect(await server.db.store.databases.claimLease(due!.id, due!.nextAttemptAt!, clock.now() + 120_000)).toBe(true);
    const connection = { host: cluster.host, port: cluster.port, database: 'postgres', tlsMode: 'disable' as const, ...ADMIN };
    const defaults = 'GRANT {{name}} TO CURRENT_USER; DROP OWNED BY {{name}}; DROP ROLE {{name}};'; // the role's (none of its own)
    await new PostgresTarget().revokeLogin(connection, defaults, { name: c.username });
    await expect(session.query('select 1')).rejects.toThrow();
    expect(await roleExists(c.username)).toBe(false);
    expect((await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body.state).toBe('revoking'); // visible meanwhile
    // Restarted, a node picks it up once the claim lapses: a login already gone is a success.
    const calls: string[] = [];
    const restarted = nodeB(calls);
    clock.advance(120_000);
    expect(await restarted.revoker.runDue()).toBe(1);
    expect(calls).toEqual([c.username]);
    expect((await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({
      state: 'revoked',
      attempts: 1,
      lastError: null,
    });
    const revoked = (await audit()).filter((e) => e.target === c.lease.leaseId && e.action === 'database_lease.revoked');
    expect(revoked).toHaveLength(1);
    expect(await restarted.revoker.runDue()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('never revokes a lease twice when two nodes run the expiry job at once', async () => {
    const issued = [];
    for (let i = 0; i < 6; i++) issued.push(await credential());
    clock.advance(60_000);
    const [callsA, callsB] = [[] as string[], [] as string[]];
    const a = createDatabaseServices(
      { store: server.db.store, keyring: server.services.keyring, clock },
      { target: counting(new PostgresTarget(), callsA) },
    );
    const b = nodeB(callsB);
    const [byA, byB] = await Promise.all([a.revoker.runDue(), b.revoker.runDue()]);
    expect(byA + byB).toBe(6);
    expect([callsA.length, callsB.length]).toEqual([byA, byB]);
    expect([...callsA, ...callsB].sort()).toEqual(issued.map((c) => c.username).sort());
    const revoked = (await audit()).filter(
      (e) => e.action === 'database_lease.revoked' && issued.some((c) => c.lease.leaseId === e.target),
    );
    expect(revoked).toHaveLength(6);
    for (const c of issued) expect(await roleExists(c.username)).toBe(false);
  });

  it('retries a failing revocation with backoff, showing the state, attempts and error meanwhile', async () => {
    const c = await credential();
    const restore = () => superuser.query(`ALTER ROLE ${ADMIN.username} PASSWORD '${ADMIN.password}'`);
    try {
      await superuser.query(`ALTER ROLE ${ADMIN.username} PASSWORD 'changed-elsewhere-1'`);
      const failed = await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/revoke`);
      expect(failed.body).toMatchObject({ state: 'revoking', revokeReason: 'requested', attempts: 1 });
      expect(failed.body.lastError).toMatch(/password authentication failed for user "tessera_admin"/);
      expect(Date.parse(failed.body.nextAttemptAt)).toBe(clock.now() + 5_000);
      expect(await canLogIn(c.username, c.password)).toBe(true);
      const logged = server.logs.filter((l) => l.includes('database lease revocation failed'));
      expect(logged.some((l) => l.includes(c.lease.leaseId) && l.includes('password authentication failed'))).toBe(true);
      for (const secret of [ADMIN.password, 'changed-elsewhere-1', c.password]) expect(logged.join('')).not.toContain(secret);
      clock.advance(5_000);
      expect(await server.services.databases.revoker.runDue()).toBe(1);
      expect((await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({ state: 'revoking', attempts: 2 });
      const listed = (await server.api('GET', '/v1/databases/leases?state=revoking')).body.items;
      expect(listed.map((l: { leaseId: string }) => l.leaseId)).toContain(c.lease.leaseId);
      clock.advance(14_999); // the second wait is 15 s
      expect(await server.services.databases.revoker.runDue()).toBe(0);
    } finally {
      await restore(); // the target works again; the next attempt succeeds
    }
    clock.advance(1);
    expect(await server.services.databases.revoker.runDue()).toBe(1);
    expect((await server.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({
      state: 'revoked',
      attempts: 3,
      lastError: null,
    });
    expect(await canLogIn(c.username, c.password)).toBe(false);
  });

  it('serves the tessera databases commands (in process, over the API)', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const run = async (sub: string, rest: string[], flags: Record<string, string> = {}) => {
      printed.length = 0;
      const code = await databasesCommand(sub, commandContext({ url: server.url, 'root-key': server.rootKey, json: true, ...flags }, rest));
      return { code, out: JSON.parse(printed.join('')) };
    };
    try {
      expect((await run('connections', [])).out.map((c: { name: string }) => c.name)).toEqual(['target']);
      expect((await run('roles', [])).out.map((r: { name: string }) => r.name)).toEqual(['broken', 'readonly']);
      const creds = await run('creds', ['readonly'], { ttl: '30' });
      expect(creds.out.lease.expiresAt).toBe(new Date(clock.now() + 30_000).toISOString());
      passwords.push(creds.out.password);
      expect(await canLogIn(creds.out.username, creds.out.password)).toBe(true);
      const leaseId = creds.out.lease.leaseId as string;
      expect((await run('lease', [leaseId])).out.state).toBe('active');
      expect((await run('renew', [leaseId], { increment: '45' })).out.renewals).toBe(1);
      expect((await run('leases', [], { role: 'readonly', state: 'active' })).out.map((l: { leaseId: string }) => l.leaseId)).toEqual([
        leaseId,
      ]);
      expect(await run('revoke', [leaseId])).toMatchObject({ code: 0, out: { state: 'revoked' } });
      expect(await canLogIn(creds.out.username, creds.out.password)).toBe(false);
      await expect(run('nonsense', [])).rejects.toThrow(/usage: tessera databases/);
    } finally {
      write.mockRestore();
    }
  });

  it('refuses to delete a role with open leases, or a connection a role uses', async () => {
    const c = await credential();
    expect((await server.api('DELETE', '/v1/databases/roles/readonly')).status).toBe(409);
    expect((await server.api('DELETE', '/v1/databases/connections/target')).status).toBe(409);
    await server.api('POST', `/v1/databases/leases/${c.lease.leaseId}/revoke`);
    expect((await server.api('DELETE', '/v1/databases/roles/readonly')).status).toBe(204);
    expect((await server.api('DELETE', '/v1/databases/roles/broken')).status).toBe(204);
    expect((await server.api('DELETE', '/v1/databases/connections/target')).status).toBe(204);
    expect((await server.api('GET', '/v1/databases/roles')).body.items).toEqual([]);
  });
});

describe('on a SQLite store', () => {
  let lite: TestServer;
  beforeAll(async () => {
    lite = await startTestServer('sqlite', { clock });
  });
  afterAll(async () => {
    await lite?.close();
  });

  it('issues a login that works until its lease ends, then drops it and ends its session, as on PostgreSQL', async () => {
    const connection = { host: cluster.host, port: cluster.port, database: 'postgres', tlsMode: 'disable', ...ADMIN };
    expect((await lite.api('PUT', '/v1/databases/connections/target', connection)).status).toBe(200);
    const role = { connection: 'target', creationStatements: CREATE, defaultTtlSeconds: 60, maxTtlSeconds: 120 };
    expect((await lite.api('PUT', '/v1/databases/roles/readonly', role)).status).toBe(200);
    const r = await lite.api('POST', '/v1/databases/roles/readonly/credentials', {});
    expect(r.status).toBe(201);
    const c = r.body as { username: string; password: string; lease: { leaseId: string; issuedTo: string } };
    expect(c.lease.issuedTo).toMatch(/^root_key:rk_/);
    expect(await canLogIn(c.username, c.password)).toBe(true);
    const session = await login(c.username, c.password);
    const renewed = await lite.api('POST', `/v1/databases/leases/${c.lease.leaseId}/renew`, { incrementSeconds: 90 });
    expect(renewed.body).toMatchObject({ state: 'active', renewals: 1 });
    clock.advance(89_000);
    expect(await lite.services.databases.revoker.runDue()).toBe(0);
    expect(await canLogIn(c.username, c.password)).toBe(true);
    clock.advance(1_000);
    expect(await lite.services.databases.revoker.runDue()).toBe(1);
    expect(await canLogIn(c.username, c.password)).toBe(false);
    await expect(session.query('select 1')).rejects.toThrow();
    expect(await roleExists(c.username)).toBe(false);
    expect((await lite.api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({
      state: 'revoked',
      revokeReason: 'expired',
      attempts: 1,
    });
    const entries = (await lite.db.store.scanAudit(0, 100_000)).filter((e) => e.target === c.lease.leaseId);
    expect(entries.map((e) => [e.action, e.actor, e.details.login])).toEqual([
      ['database_lease.issued', c.lease.issuedTo, c.username],
      ['database_lease.renewed', c.lease.issuedTo, c.username],
      ['database_lease.revoked', 'system', c.username],
    ]);
    expect(JSON.stringify(entries)).not.toContain(c.password);
  });
});
