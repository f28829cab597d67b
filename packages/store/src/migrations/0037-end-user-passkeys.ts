import type { Kysely } from 'kysely';
import { addChallengeColumns, createPasskeyTable } from '../passkeys/passkey-table-schema.js';

/**
 * End users' passkeys (WebAuthn), a second factor after the password like their TOTP: the
 * credential's public key (nothing secret), its signature counter and transports, a name, when it
 * was added and last used — the console's passkey table (0009) again. An end user's session is a
 * sealed cookie, not a row, so the user's row holds the one WebAuthn challenge they may answer
 * (registration or sign-in) until it is used: the same three columns as a console session's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createPasskeyTable(db, 'end_user_passkeys', 'end_users');
  await addChallengeColumns(db, 'end_users');
}
