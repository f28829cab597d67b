import { wrappedKeyContext, type KekProvider, type WrappedKeyRecord } from '@tessera/core';

/** What a backup header says about its database snapshot, read from the snapshot itself. */
export interface SnapshotFacts {
  migration: { latest: string; count: number };
  auditSeq: number;
  wrappedKeys: WrappedKeyRecord[];
}

/** Runs one read-only query on the snapshot (the SQLite copy, or the exported PostgreSQL snapshot). */
export type SnapshotQuery = (sql: string) => Promise<Record<string, unknown>[]>;

export async function readSnapshotFacts(query: SnapshotQuery): Promise<SnapshotFacts> {
  const migrations = (await query('select name from tessera_migrations order by name')).map((r) => String(r.name));
  if (migrations.length === 0) throw new Error('the database has no Tessera schema (no migrations applied)');
  const head = await query('select seq from audit_head where id = 1');
  const rows = await query('select id, scope, purpose, version, kek_version, wrapped, created_at from keyring_keys order by id');
  return {
    migration: { latest: migrations[migrations.length - 1]!, count: migrations.length },
    auditSeq: Number(head[0]?.seq ?? 0),
    wrappedKeys: rows.map((r) => ({
      id: String(r.id),
      scope: String(r.scope),
      purpose: r.purpose as WrappedKeyRecord['purpose'],
      version: Number(r.version),
      kekVersion: Number(r.kek_version),
      wrapped: String(r.wrapped),
      createdAt: Number(r.created_at),
    })),
  };
}

/**
 * Unwraps every pepper and data key of the snapshot with the captured KEKs: the proof, taken when
 * the backup is made and again when it is verified, that the archive's keyring opens everything
 * its database part holds.
 */
export async function unwrapAll(
  kek: KekProvider,
  rows: readonly WrappedKeyRecord[],
): Promise<{ kekVersions: number[]; wrappedKeys: number }> {
  for (const row of rows) {
    try {
      (await kek.unwrap(row.kekVersion, Buffer.from(row.wrapped, 'base64url'), wrappedKeyContext(row))).fill(0);
    } catch (err) {
      throw new Error(
        `the ${row.purpose} key ${row.scope} v${row.version} (KEK v${row.kekVersion}) does not unwrap with the keyring: ${(err as Error).message}`,
      );
    }
  }
  return { kekVersions: [...new Set(rows.map((r) => r.kekVersion))].sort((a, b) => a - b), wrappedKeys: rows.length };
}
