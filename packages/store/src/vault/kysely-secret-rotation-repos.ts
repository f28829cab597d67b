import type { RotationOutcome, SecretRotationRecord, SecretRotationRepos } from '@tessera/core';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { OwnTablesAdapter } from '../own-tables.js';
import { dueRows, rowsWhere, rowWhere, wroteOne } from '../rows.js';

/** The table of secret rotations (migration 0020), declared beside its adapter. */
interface RotationTables {
  secret_rotations: {
    secret_id: string;
    workspace_id: string;
    secret_name: string;
    rotator: string;
    settings: string;
    signing_secret_ciphertext: string | null;
    interval_seconds: number | null;
    state: string;
    next_attempt_at: number | null;
    attempts: number;
    last_attempt_at: number | null;
    last_result: string | null;
    last_error: string | null;
    last_rotated_at: number | null;
    pending_ciphertext: string | null;
    pending_since: number | null;
    created_at: number;
    updated_at: number;
  };
}

const COLUMNS = new RecordColumns<SecretRotationRecord>({
  secretId: 'secret_id',
  workspaceId: 'workspace_id',
  secretName: 'secret_name',
  settings: jsonColumn('settings'),
  signingSecretCiphertext: 'signing_secret_ciphertext',
  intervalSeconds: nullableNumberColumn('interval_seconds'),
  state: 'state',
  nextAttemptAt: nullableNumberColumn('next_attempt_at'),
  attempts: 'attempts',
  lastAttemptAt: nullableNumberColumn('last_attempt_at'),
  lastResult: 'last_result',
  lastError: 'last_error',
  lastRotatedAt: nullableNumberColumn('last_rotated_at'),
  pendingCiphertext: 'pending_ciphertext',
  pendingSince: nullableNumberColumn('pending_since'),
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
});

type Row = RotationTables['secret_rotations'];

/** The secret-rotation port over a Kysely handle — the whole database, or one transaction. */
export class KyselySecretRotationRepos extends OwnTablesAdapter<RotationTables> implements SecretRotationRepos {
  async putRotation(r: SecretRotationRecord): Promise<void> {
    const row = { ...(COLUMNS.write(r) as Row), rotator: r.settings.kind };
    const { secret_id: _id, created_at: _created, ...changes } = row;
    await this.db
      .insertInto('secret_rotations')
      .values(row)
      .onConflict((oc) => oc.column('secret_id').doUpdateSet(changes))
      .execute();
  }

  getRotation(secretId: string): Promise<SecretRotationRecord | undefined> {
    return rowWhere(this.db, 'secret_rotations', { secret_id: secretId }, (r) => COLUMNS.read(r));
  }

  listRotations(workspaceId: string): Promise<SecretRotationRecord[]> {
    return rowsWhere(this.db, 'secret_rotations', { workspace_id: workspaceId }, 'secret_name', (r) => COLUMNS.read(r));
  }

  async deleteRotation(secretId: string): Promise<void> {
    await this.db.deleteFrom('secret_rotations').where('secret_id', '=', secretId).execute();
  }

  listDueRotations(now: number, limit: number): Promise<SecretRotationRecord[]> {
    return dueRows(this.db, 'secret_rotations', { now, key: 'secret_id', limit }, (r) => COLUMNS.read(r));
  }

  async claimRotation(secretId: string, expected: number | null, now: number, claimUntil: number): Promise<boolean> {
    const r = await this.db
      .updateTable('secret_rotations')
      .set({ state: 'rotating', next_attempt_at: claimUntil })
      .where('secret_id', '=', secretId)
      .where('next_attempt_at', expected === null ? 'is' : '=', expected)
      .where((eb) => eb.or([eb('state', '=', 'idle'), eb('next_attempt_at', '<=', now)]))
      .executeTakeFirst();
    return wroteOne(r);
  }

  async setPending(secretId: string, claimUntil: number, pending: { ciphertext: string; since: number } | null): Promise<boolean> {
    const r = await this.db
      .updateTable('secret_rotations')
      .set({ pending_ciphertext: pending?.ciphertext ?? null, pending_since: pending?.since ?? null })
      .where('secret_id', '=', secretId)
      .where('state', '=', 'rotating')
      .where('next_attempt_at', '=', claimUntil)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async finishRotation(secretId: string, claimUntil: number, o: RotationOutcome): Promise<boolean> {
    const r = await this.db
      .updateTable('secret_rotations')
      .set({
        state: 'idle',
        next_attempt_at: o.nextAttemptAt,
        attempts: o.attempts,
        last_attempt_at: o.lastAttemptAt,
        last_result: o.lastResult,
        last_error: o.lastError,
        ...(o.lastRotatedAt !== undefined && { last_rotated_at: o.lastRotatedAt }),
        pending_ciphertext: null,
        pending_since: null,
        updated_at: o.lastAttemptAt ?? claimUntil,
      })
      .where('secret_id', '=', secretId)
      .where('state', '=', 'rotating')
      .where('next_attempt_at', '=', claimUntil)
      .executeTakeFirst();
    return wroteOne(r);
  }
}
