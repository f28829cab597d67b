import { ManualClock } from '@tessera/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandContext } from '../../apps/server/src/cli/context.js';
import { secretsCommand } from '../../apps/server/src/cli/secrets.js';
import { DIALECTS } from '../support/databases.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The alternating-users rotator against a PostgreSQL of this file's own with scram-sha-256
// password authentication: an application connected with the secret's value keeps working through
// three rotations; a fresh login with the current value works after each, the one before it too
// (the other login keeps its password for a whole period), and the one before that is refused.
// Tessera's own store is SQLite, then PostgreSQL.

const ADMIN = { username: 'tessera_admin', password: 'admin-Pw-4k2m9x7q' };
const DAY = 86_400_000;

let cluster: PrivatePostgres;

async function login(c: { username: string; password: string }): Promise<pg.Client> {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user: c.username, password: c.password });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Whether a fresh login with `c` works (and reads the table); throws on anything but a refused password. */
async function canLogIn(c: { username: string; password: string }): Promise<boolean> {
  try {
    const client = await login(c);
    expect((await client.query('select count(*)::int as n from orders')).rows).toEqual([{ n: 2 }]);
    await client.end();
    return true;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('28P01'); // password authentication failed
    return false;
  }
}

beforeAll(async () => {
  cluster = await startPrivatePostgres();
  const su = await login(cluster.superuser);
  // The admin is no superuser: it makes the logins, so it may set their passwords (CREATEROLE).
  await su.query(`CREATE ROLE ${ADMIN.username} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
  await su.query(
    'CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2); CREATE ROLE orders_app NOLOGIN; GRANT SELECT ON orders TO orders_app',
  );
  await su.query(`GRANT orders_app TO ${ADMIN.username} WITH ADMIN OPTION`);
  await su.end();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

// On each store: the logins of each are their own (a and b), so the two runs never meet.
describe.each(DIALECTS)('postgres-alternating rotator (%s)', (dialect) => {
  const [A, B, GONE] = [`orders_${dialect}_a`, `orders_${dialect}_b`, `orders_${dialect}_gone`];
  const INITIAL = { username: A, password: 'initial-Pw-8d3j5n1z' };
  let server: TestServer;
  const clock = new ManualClock(Date.parse('2026-06-01T09:00:00Z'));

  const current = async () => {
    const r = await server.api('GET', '/v1/secrets/orders/db');
    return { version: r.body.version as number, ...(JSON.parse(r.body.value) as { username: string; password: string }) };
  };

  beforeAll(async () => {
    server = await startTestServer(dialect, { clock });
    const admin = await login(ADMIN);
    await admin.query(`CREATE ROLE ${A} LOGIN IN ROLE orders_app PASSWORD '${INITIAL.password}'`);
    await admin.query(`CREATE ROLE ${B} LOGIN IN ROLE orders_app PASSWORD 'unknown-Pw-0000'`);
    await admin.end();
    const connection = { host: cluster.host, port: cluster.port, database: 'postgres', tlsMode: 'disable', ...ADMIN };
    expect((await server.api('PUT', '/v1/databases/connections/orders-db', connection)).status).toBe(200);
    expect((await server.api('PUT', '/v1/secrets/orders/db', { value: JSON.stringify(INITIAL) })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('takes databases:manage to set, and never the connection’s own admin login', async () => {
    const body = { rotator: 'postgres-alternating', connection: 'orders-db', usernames: [A, B], every: '30d' };
    const vaultOnly = await server.api('POST', '/v1/root-keys', { name: 'vault only', permissions: ['secrets:read', 'secrets:write'] });
    expect(vaultOnly.status).toBe(201);
    const refused = await server.api('PUT', '/v1/secret-rotations/orders/db', body, vaultOnly.body.key);
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    const admin = await server.api('PUT', '/v1/secret-rotations/orders/db', { ...body, usernames: [A, ADMIN.username] });
    expect([admin.status, admin.body.detail]).toEqual([400, "usernames may not include the connection's own admin login."]);
    expect((await server.api('GET', '/v1/secret-rotations/orders/db')).status).toBe(404);
  });

  it('keeps an application’s connection working through three rotations, each new value logging in', async () => {
    const set = await server.api('PUT', '/v1/secret-rotations/orders/db', {
      rotator: 'postgres-alternating',
      connection: 'orders-db',
      usernames: [A, B],
      every: '30d',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      rotator: 'postgres-alternating',
      usernames: [A, B],
      every: '30d',
      lastResult: null,
    });
    // The application reads the secret once and keeps its connection open.
    const app = await login(await current());
    const seen = [await current()];
    for (let i = 1; i <= 3; i++) {
      if (i === 2) {
        // The second by its schedule, the others asked for.
        clock.advance(30 * DAY);
        expect(await server.services.secretRotation.runner.runDue()).toBe(1);
      } else {
        const r = await server.api('POST', '/v1/secret-rotations/orders/db');
        expect(r.body).toMatchObject({ version: i + 1, lastResult: 'succeeded', lastError: null });
      }
      const now = await current();
      expect(now.version).toBe(i + 1);
      expect(now.username).toBe(i % 2 === 1 ? B : A);
      expect((await app.query('select count(*)::int as n from orders')).rows).toEqual([{ n: 2 }]);
      expect(await canLogIn(now)).toBe(true);
      expect(await canLogIn(seen[i - 1]!)).toBe(true); // the previous login keeps its password a period longer
      if (i >= 2) expect(await canLogIn(seen[i - 2]!)).toBe(false); // the one before was replaced
      seen.push(now);
    }
    await app.end();
    const state = (await server.api('GET', '/v1/secret-rotations/orders/db')).body;
    expect(state).toMatchObject({ attempts: 0, lastResult: 'succeeded', nextRotationAt: new Date(clock.now() + 30 * DAY).toISOString() });
    // Every version is kept and readable; every rotation audited, without a password.
    expect((await server.api('GET', '/v1/secrets')).body.items[0].versions).toEqual([1, 2, 3, 4]);
    const rotated = (await server.api('GET', '/v1/audit?action=secret.rotated&limit=10')).body.items;
    expect(rotated.map((e: { details: { version: number } }) => e.details.version)).toEqual([4, 3, 2]);
    const everything = JSON.stringify((await server.api('GET', '/v1/audit?limit=500')).body) + server.logs.join('');
    for (const c of seen.slice(1)) expect(everything).not.toContain(c.password);
  });

  it('fails without harm when a login is missing, and serves the tessera secrets rotation commands', async () => {
    const before = await current();
    await server.api('PUT', '/v1/secret-rotations/orders/db', {
      rotator: 'postgres-alternating',
      connection: 'orders-db',
      usernames: [before.username, GONE],
      every: null,
    });
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const run = async (rest: string[], flags: Record<string, string | boolean> = {}) => {
      printed.length = 0;
      const code = await secretsCommand(
        'rotation',
        commandContext({ url: server.url, 'root-key': server.rootKey, json: true, ...flags }, rest),
      );
      return { code, out: printed.length > 0 ? JSON.parse(printed.join('')) : undefined };
    };
    try {
      const failed = await run(['now', 'orders/db']);
      expect(failed.code).toBe(1);
      expect(failed.out).toMatchObject({ version: null, lastResult: 'failed', attempts: 1 });
      expect(failed.out.lastError).toMatch(new RegExp(`role "${GONE}" does not exist`));
      expect(await current()).toEqual(before);
      expect(await canLogIn(before)).toBe(true);
      const set = await run(['set', 'orders/db'], {
        rotator: 'postgres-alternating',
        connection: 'orders-db',
        usernames: `${A},${B}`,
        every: '12h',
      });
      expect(set.out).toMatchObject({ every: '12h', usernames: [A, B] });
      const now = await run(['now', 'orders/db']);
      expect(now.code).toBe(0);
      expect(now.out.version).toBe(before.version + 1);
      expect((await run(['show', 'orders/db'])).out).toMatchObject({ lastResult: 'succeeded', attempts: 0 });
      expect((await run(['list'])).out.map((r: { secret: string }) => r.secret)).toEqual(['orders/db']);
      expect((await run(['clear', 'orders/db'])).code).toBe(0);
      expect((await server.api('GET', '/v1/secret-rotations/orders/db')).status).toBe(404);
    } finally {
      write.mockRestore();
    }
    expect(await canLogIn(await current())).toBe(true);
  });
});
