import type { Kysely } from 'kysely';
import { addChallengeColumns, createPasskeyTable } from '../passkeys/passkey-table-schema.js';

/**
 * WebAuthn passkeys as a console second factor. A credential's public key is public; the session
 * row holds the one WebAuthn challenge it may answer (registration or sign-in) until it is used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createPasskeyTable(db, 'console_passkeys', 'console_users');
  await addChallengeColumns(db, 'console_sessions');
}
