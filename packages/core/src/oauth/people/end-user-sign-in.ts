import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { normaliseEmail } from '../../console/console-policy.js';
import type { PasswordHasher } from '../../console/password-hasher.js';
import type { OAuthStore } from '../oauth-store.js';
import type { EndUserRecord } from './end-user-records.js';

/** The longest email and password looked at; anything longer cannot be right. */
const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;

/**
 * Checks an end user's email and password, the console's way: an unknown email costs the same
 * argon2id verification as a known one (a decoy hash), and every outcome but success reads the
 * same, so neither the answer nor its time tells whether an email exists. Audited either way.
 */
export async function signInEndUser(
  deps: { store: OAuthStore; clock: Clock; passwords: PasswordHasher },
  workspaceId: string,
  input: { email: string; password: string; ip: string; clientId: string },
): Promise<EndUserRecord | undefined> {
  const email = normaliseEmail(input.email).slice(0, MAX_EMAIL);
  const password = input.password.slice(0, MAX_PASSWORD);
  const user = email === '' ? undefined : await deps.store.findEndUserByEmail(workspaceId, email);
  let good = false;
  if (user === undefined) await deps.passwords.verifyDecoy(password);
  else good = await deps.passwords.verify(user.passwordHash, password);
  const ok = user !== undefined && good && user.disabledAt === null;
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (ok) await tx.updateEndUser(user.id, { lastSignInAt: now });
    await appendAudit(
      tx,
      deps.clock,
      { id: user === undefined ? 'end_user:unknown' : `end_user:${user.id}`, workspaceId, ip: input.ip },
      ok
        ? { action: 'end_user.signed_in', target: user.id, details: { clientId: input.clientId, amr: ['pwd'] } }
        : {
            action: 'end_user.sign_in_failed',
            target: user?.id ?? null,
            details: {
              clientId: input.clientId,
              reason: user === undefined ? 'unknown_user' : !good ? 'password' : 'disabled',
              ...(user === undefined && { email }),
            },
          },
    );
  });
  return ok ? { ...user, lastSignInAt: now } : undefined;
}
