import type { ConsoleSessionRecord, ConsoleUserRecord } from '@tessera/core';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';

/** The columns of `console_users` and `console_sessions`, field by field (`console_passkeys`: the shared passkey table's). */

export const USER_COLUMNS = new RecordColumns<ConsoleUserRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  otherWorkspaceIds: jsonColumn<string[]>('other_workspace_ids'),
  email: 'email',
  name: 'name',
  role: 'role',
  passwordHash: 'password_hash',
  totpSecret: 'totp_secret',
  totpPending: 'totp_pending',
  totpLastStep: nullableNumberColumn('totp_last_step'),
  recoveryCodes: jsonColumn<string[]>('recovery_codes'),
  recoveryPepperVersion: 'recovery_pepper_version',
  failedLogins: 'failed_logins',
  lockedUntil: nullableNumberColumn('locked_until'),
  disabledAt: nullableNumberColumn('disabled_at'),
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
  lastLoginAt: nullableNumberColumn('last_login_at'),
});

/** A session's own columns; its WebAuthn challenge sits beside them, read and written apart. */
export const SESSION_COLUMNS = new RecordColumns<ConsoleSessionRecord>({
  idHash: 'id_hash',
  userId: 'user_id',
  stage: 'stage',
  createdAt: numberColumn('created_at'),
  lastSeenAt: numberColumn('last_seen_at'),
  expiresAt: numberColumn('expires_at'),
  ip: 'ip',
  userAgent: 'user_agent',
});
