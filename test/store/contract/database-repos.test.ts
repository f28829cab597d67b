import type { DatabaseConnectionRecord, DatabaseLeaseRecord, DatabaseRoleRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The port of dynamic database credentials: connections, roles, and the lease queue's compare-and-sets. */
describe.each(DIALECTS)('database credential repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const repos = () => database().store.databases;

  const connection = (workspaceId: string, name: string): DatabaseConnectionRecord => ({
    id: nextId('databaseConnection'),
    workspaceId,
    name,
    plugin: 'postgresql',
    host: 'db.internal',
    port: 5433,
    database: 'orders',
    tlsMode: 'verify-full',
    username: 'tessera_admin',
    passwordCiphertext: 'v1.ws.1.iv.ct.tag',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_001,
  });
  const role = (c: DatabaseConnectionRecord, name: string, over: Partial<DatabaseRoleRecord> = {}): DatabaseRoleRecord => ({
    id: nextId('databaseRole'),
    workspaceId: c.workspaceId,
    name,
    connectionId: c.id,
    creationStatements: 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}};',
    revocationStatements: null,
    renewStatements: 'ALTER ROLE {{name}} VALID UNTIL {{expiration}};',
    defaultTtlSeconds: 3_600,
    maxTtlSeconds: 86_400,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  });
  const lease = (r: DatabaseRoleRecord, over: Partial<DatabaseLeaseRecord> = {}): DatabaseLeaseRecord => ({
    id: nextId('databaseLease'),
    workspaceId: r.workspaceId,
    roleId: r.id,
    roleName: r.name,
    connectionId: r.connectionId,
    login: `t_${r.name}_${Math.random().toString(36).slice(2, 12)}`,
    state: 'active',
    issuedTo: 'root_key:rk_contract',
    issuedAt: 10_000,
    expiresAt: 20_000,
    maxExpiresAt: 50_000,
    renewals: 0,
    revokeReason: null,
    attempts: 0,
    nextAttemptAt: 20_000,
    lastError: null,
    revokedAt: null,
    ...over,
  });
  const seed = async () => {
    const c = connection(nextId('workspace'), 'orders');
    await repos().insertConnection(c);
    const r = role(c, 'readonly');
    await repos().insertRole(r);
    return { c, r };
  };

  it('keeps connections by workspace and name, exactly, and refuses a second of the same name', async () => {
    const ws = nextId('workspace');
    const [b, a] = [connection(ws, 'b-db'), connection(ws, 'a-db')];
    const elsewhere = connection(nextId('workspace'), 'b-db');
    for (const c of [b, a, elsewhere]) await repos().insertConnection(c);
    expect(await repos().getConnection(ws, 'b-db')).toEqual(b);
    expect(await repos().getConnectionById(a.id)).toEqual(a);
    expect(await repos().getConnection(ws, 'missing')).toBeUndefined();
    expect(await repos().listConnections(ws)).toEqual([a, b]);
    await expect(repos().insertConnection(connection(ws, 'a-db'))).rejects.toThrow();
    const patch = { ...a, host: '10.0.0.9', port: 6432, tlsMode: 'require' as const, passwordCiphertext: 'v1.ws.2.x', updatedAt: 9 };
    const { id: _i, workspaceId: _w, name: _n, createdAt: _c, ...fields } = patch;
    await repos().updateConnection(a.id, fields);
    expect(await repos().getConnectionById(a.id)).toEqual(patch);
    await repos().deleteConnection(b.id);
    expect(await repos().listConnections(ws)).toEqual([patch]);
  });

  it('keeps roles by name, lists them by connection, and writes a null statement back as null', async () => {
    const { c, r } = await seed();
    const other = connection(c.workspaceId, 'other');
    await repos().insertConnection(other);
    const r2 = role(other, 'admin', { revocationStatements: 'DROP ROLE {{name}};' });
    await repos().insertRole(r2);
    expect(await repos().getRole(c.workspaceId, 'readonly')).toEqual(r);
    expect(await repos().listRoles(c.workspaceId)).toEqual([r2, r]);
    expect(await repos().listRoles(c.workspaceId, other.id)).toEqual([r2]);
    await expect(repos().insertRole(role(c, 'readonly'))).rejects.toThrow();
    const {
      id: _i,
      workspaceId: _w,
      name: _n,
      createdAt: _c,
      ...fields
    } = { ...r2, revocationStatements: null, renewStatements: null, maxTtlSeconds: 7, updatedAt: 5 };
    await repos().updateRole(r2.id, fields);
    expect(await repos().getRole(c.workspaceId, 'admin')).toEqual({ ...r2, ...fields });
    await repos().deleteRole(r2.id);
    expect(await repos().getRole(c.workspaceId, 'admin')).toBeUndefined();
  });

  it('lists leases newest first by role and state, pages on, and counts the open ones', async () => {
    const { r } = await seed();
    const made = [
      lease(r),
      lease(r, { state: 'revoked', nextAttemptAt: null, revokedAt: 30_000, revokeReason: 'expired', attempts: 1 }),
      lease(r),
    ];
    for (const l of made) await repos().insertLease(l);
    expect(await repos().getLease(made[1]!.id)).toEqual(made[1]);
    expect(await repos().listLeases({ workspaceId: r.workspaceId, limit: 10 })).toEqual([...made].reverse());
    expect(await repos().listLeases({ workspaceId: r.workspaceId, limit: 10, state: 'revoked' })).toEqual([made[1]]);
    expect(await repos().listLeases({ workspaceId: r.workspaceId, limit: 1, beforeId: made[2]!.id, roleId: r.id })).toEqual([made[1]]);
    expect(await repos().listLeases({ workspaceId: r.workspaceId, limit: 10, roleId: 'dbr_none' })).toEqual([]);
    expect(await repos().countOpenLeases(r.id)).toBe(2);
  });

  it('extends an active lease only from the expiry it was read with', async () => {
    const { r } = await seed();
    const l = lease(r);
    await repos().insertLease(l);
    expect(await repos().extendLease(l.id, 19_999, 30_000)).toBe(false);
    expect(await repos().extendLease(l.id, 20_000, 30_000)).toBe(true);
    expect(await repos().extendLease(l.id, 20_000, 40_000)).toBe(false); // the second of two renewals read at 20 000
    expect(await repos().getLease(l.id)).toMatchObject({ expiresAt: 30_000, nextAttemptAt: 30_000, renewals: 1 });
    expect(await repos().requestRevocation(l.id, 25_000, 'requested')).toBe(true);
    expect(await repos().extendLease(l.id, 30_000, 40_000)).toBe(false); // being revoked: never renewed
    expect(await repos().requestRevocation(l.id, 26_000, 'requested')).toBe(false);
    expect(await repos().getLease(l.id)).toMatchObject({ state: 'revoking', revokeReason: 'requested', nextAttemptAt: 25_000 });
  });

  it('queues due leases, lets one claim win, and takes an outcome only from the claim that holds', async () => {
    const { r } = await seed();
    const due = lease(r, { expiresAt: 20_000, nextAttemptAt: 20_000 });
    const later = lease(r, { expiresAt: 90_000, nextAttemptAt: 90_000 });
    const retry = lease(r, {
      state: 'revoking',
      revokeReason: 'requested',
      attempts: 2,
      nextAttemptAt: 15_000,
      lastError: 'connection refused',
    });
    for (const l of [due, later, retry]) await repos().insertLease(l);
    const ids = async (now: number) => (await repos().listDueLeases(now, 10)).filter((l) => l.roleId === r.id).map((l) => l.id);
    expect(await ids(20_000)).toEqual([retry.id, due.id]);

    const claims = await Promise.all([repos().claimLease(due.id, 20_000, 140_000), repos().claimLease(due.id, 20_000, 140_000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos().getLease(due.id)).toMatchObject({ state: 'revoking', revokeReason: 'expired', nextAttemptAt: 140_000 });
    expect(await ids(100_000)).toEqual([retry.id, later.id]); // claimed: not due again until the claim lapses
    expect(await ids(140_000)).toEqual([retry.id, later.id, due.id]);

    const outcome = { state: 'revoked' as const, attempts: 1, nextAttemptAt: null, lastError: null, revokedAt: 141_000 };
    expect(await repos().finishRevocation(due.id, 139_999, outcome)).toBe(false); // not this claim
    expect(await repos().claimLease(retry.id, 15_000, 200_000)).toBe(true);
    expect(await repos().getLease(retry.id)).toMatchObject({ revokeReason: 'requested' }); // kept
    expect(await repos().finishRevocation(due.id, 140_000, outcome)).toBe(true);
    expect(await repos().finishRevocation(due.id, 140_000, outcome)).toBe(false);
    expect(await repos().getLease(due.id)).toEqual({ ...due, state: 'revoking', revokeReason: 'expired', ...outcome });
    const failed = { state: 'revoking' as const, attempts: 3, nextAttemptAt: 260_000, lastError: 'x'.repeat(600), revokedAt: null };
    expect(await repos().finishRevocation(retry.id, 200_000, failed)).toBe(true);
    expect(await repos().getLease(retry.id)).toMatchObject({ ...failed, lastError: 'x'.repeat(512) });
    expect(await ids(1_000_000)).toEqual([later.id, retry.id]);
  });

  it('answers inside a transaction as outside, and rolls back with it', async () => {
    const { r } = await seed();
    const l = lease(r);
    await expect(
      database().store.transaction(async (tx) => {
        await tx.databases.insertLease(l);
        expect(await tx.databases.getLease(l.id)).toEqual(l);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await repos().getLease(l.id)).toBeUndefined();
  });
});
