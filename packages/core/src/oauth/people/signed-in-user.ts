import type { EndUserPasskeyRepos } from './end-user-passkey-repos.js';
import type { EndUserRepos } from './end-user-repos.js';
import type { EndUserRecord } from './end-user-records.js';
import type { EndUserSession, EndUserSessions } from './end-user-sessions.js';

/** The `amr` values (RFC 8176) of a second factor: a TOTP code, or a passkey (a key held in software or hardware). */
export const SECOND_FACTOR_AMR = ['otp', 'swk', 'hwk'];

/**
 * The user behind a session cookie. `secondFactorDue`: they gave their password but not yet the
 * second factor their account asks for (a TOTP code or a passkey), so the session is good only for
 * the second-factor page.
 */
export interface SignedInUser {
  session: EndUserSession;
  user: EndUserRecord;
  secondFactorDue: boolean;
}

/**
 * Opens a session cookie and reads its user again, so that a disabled or deleted user, a sign-in
 * ended since (signing out ends them all), or one of another workspace is refused at once.
 */
export async function signedInUser(
  store: EndUserRepos & { endUserPasskeys: EndUserPasskeyRepos },
  sessions: EndUserSessions,
  cookie: string | undefined,
  workspaceId?: string,
): Promise<SignedInUser | undefined> {
  const session = sessions.open(cookie);
  if (session === undefined || (workspaceId !== undefined && session.workspaceId !== workspaceId)) return undefined;
  const user = await store.getEndUser(session.userId);
  if (user === undefined || user.disabledAt !== null || user.workspaceId !== session.workspaceId) return undefined;
  if (user.sessionsEndedAt !== null && session.authTime <= user.sessionsEndedAt) return undefined;
  if (session.amr.some((m) => SECOND_FACTOR_AMR.includes(m))) return { session, user, secondFactorDue: false };
  const enrolled = user.totpSecret !== null || (await store.endUserPasskeys.list(user.id)).length > 0;
  return { session, user, secondFactorDue: enrolled };
}
