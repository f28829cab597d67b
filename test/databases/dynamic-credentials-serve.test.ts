import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, startServe } from '../support/cli.js';
import { psql, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';

const ADMIN = { username: 'tessera_admin', password: 'admin-Pw-serve-5h2k' };

/**
 * A lease that expires while its `tessera serve` is down (killed, SIGKILL) is revoked by the
 * server started again on the same data dir, on its own: the revoker starts with the server. The
 * role gives its logins no VALID UNTIL, so only Tessera's revocation can end them.
 */
describe('dynamic credentials across a restart of tessera serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-leases-'));
  let cluster: PrivatePostgres;
  let superuser: pg.Client;
  let url = '';
  let rootKey = '';
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  const serve = async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServe(['--data-dir', dir, '--port', String(port)], url);
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    buildOnce();
    cluster = await startPrivatePostgres();
    const { username: user, password } = cluster.superuser;
    superuser = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user, password });
    await superuser.connect();
    await superuser.query(`CREATE ROLE ${ADMIN.username} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
    await superuser.query(`GRANT pg_signal_backend TO ${ADMIN.username}`);
    await serve();
    rootKey = readFileSync(join(dir, 'initial-root-key'), 'utf8').trim();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await superuser?.end();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('revokes a lease that expired while the server was down once it is back, ending the session left open', async () => {
    const connection = { host: cluster.host, port: cluster.port, database: 'postgres', tlsMode: 'disable', ...ADMIN };
    expect((await api('PUT', '/v1/databases/connections/target', connection)).status).toBe(200);
    const role = { connection: 'target', creationStatements: 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}};' };
    expect((await api('PUT', '/v1/databases/roles/app', role)).status).toBe(200);
    const issued = await api('POST', '/v1/databases/roles/app/credentials', { ttlSeconds: 2 });
    expect(issued.status).toBe(201);
    const c = issued.body as { username: string; password: string; lease: { leaseId: string; expiresAt: string } };
    expect(await psql(cluster, c, 'select 1')).toMatchObject({ code: 0, stdout: '1' });
    const session = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user: c.username, password: c.password });
    session.on('error', () => {});
    await session.connect();

    // The node dies at once; the lease expires while no node runs.
    server!.child.kill('SIGKILL');
    await new Promise((resolve) => server!.child.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(c.lease.expiresAt) - Date.now()) + 1_000));
    expect(await psql(cluster, c, 'select 1')).toMatchObject({ code: 0 }); // nothing revoked it yet
    expect((await session.query('select 1 as one')).rows).toEqual([{ one: 1 }]);

    await serve();
    await expect
      .poll(async () => (await api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body.state, { timeout: 30_000, interval: 250 })
      .toBe('revoked');
    expect((await api('GET', `/v1/databases/leases/${c.lease.leaseId}`)).body).toMatchObject({ revokeReason: 'expired', attempts: 1 });
    const refused = await psql(cluster, c, 'select 1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`password authentication failed for user "${c.username}"`);
    await expect(session.query('select 1')).rejects.toThrow();
    expect((await superuser.query('select 1 from pg_roles where rolname = $1', [c.username])).rowCount).toBe(0);
    const revoked = (await api('GET', `/v1/audit?action=database_lease.revoked&limit=10`)).body.items as { target: string }[];
    expect(revoked.filter((e) => e.target === c.lease.leaseId)).toHaveLength(1);
  }, 90_000);
});
