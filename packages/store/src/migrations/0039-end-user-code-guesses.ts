import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * Wrong second-factor codes counted per end user in the database, so that every node counts the
 * same guesses: how many in the current window, and when the window began.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'end_users', {
    code_guesses: 'integer',
    code_guesses_since: 'bigint',
  });
}
