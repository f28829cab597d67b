import { randomBytes } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import { normaliseEmail } from './console-policy.js';
import { newConsoleUser, type ConsoleRole, type ConsoleUserRecord } from './console-records.js';
import { userActor, type ConsoleSessions } from './console-sessions.js';
import { roleFromClaims, type ConsoleSsoSettings } from './console-sso-settings.js';
import type { PasswordHasher } from './password-hasher.js';

export interface ConsoleSsoAccountDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  sessions: ConsoleSessions;
  passwords: PasswordHasher;
}

/** Why an upstream account may not sign in to the console; each has its own page. */
export type SsoRefusal = 'no_role' | 'no_email' | 'email_not_verified' | 'other_workspace' | 'disabled';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/**
 * Signs an upstream account in to the console: the user linked to its `iss` and `sub`; else the
 * user with its email, linked now; else a new user, made just in time — the last two only for an
 * email the upstream says is verified. The role is the one the role claim gives, set at every
 * sign-in (a change upstream applies at the next one, and ends the user's other sessions); a
 * person whose claim gives no role is refused. Then a full session, exactly as after a second
 * factor, in the transaction that links, makes or changes the user and audits it.
 */
export async function ssoSignIn(...args: SsoSignInArgs): Promise<SsoSignedIn> {
  try {
    return await attempt(...args);
  } catch (err) {
    // Two first sign-ins of one upstream account at once: the other linked it; this one now finds the link.
    if (err instanceof LinkTaken) return attempt(...args);
    throw err;
  }
}

type SsoSignInArgs = [
  deps: ConsoleSsoAccountDeps,
  settings: ConsoleSsoSettings,
  claims: JWTPayload & { sub: string },
  ip: string,
  userAgent: string | undefined,
];

type SsoSignedIn = { ok: true; token: string; user: ConsoleUserRecord } | { ok: false; reason: SsoRefusal; userId: string | null };

/** The upstream account was linked by a sign-in that ran at the same time (its transaction rolls back). */
class LinkTaken extends Error {}

async function attempt(...[deps, settings, claims, ip, userAgent]: SsoSignInArgs): Promise<SsoSignedIn> {
  const { store, clock } = deps;
  const issuer = settings.issuer;
  const link = await store.console.findSsoLink(issuer, claims.sub);
  let user = link === undefined ? undefined : await store.console.getUser(link.userId);
  const role = roleFromClaims(settings, claims);
  const email = typeof claims.email === 'string' ? normaliseEmail(claims.email) : '';
  let fresh: 'linked' | 'created' | undefined;
  if (user === undefined) {
    if (!EMAIL.test(email)) return { ok: false, reason: 'no_email', userId: null };
    if (claims.email_verified !== true) return { ok: false, reason: 'email_not_verified', userId: null };
    user = await store.console.findUserByEmail(email);
    fresh = user === undefined ? 'created' : 'linked';
  }
  if (user !== undefined && user.workspaceId !== settings.workspaceId) return { ok: false, reason: 'other_workspace', userId: user.id };
  if (user?.disabledAt != null) return { ok: false, reason: 'disabled', userId: user.id };
  if (role === undefined) return { ok: false, reason: 'no_role', userId: user?.id ?? null };
  const now = clock.now();
  // A user made here signs in through the upstream; its password is one nobody knows, so the
  // password form treats its email as it treats any wrong password.
  const account = user ?? (await newUser(deps, settings, email, claims, role, now));
  const actor = userActor(account, ip);
  const token = await store.transaction(async (tx) => {
    // The link first: of two first sign-ins racing, one links, the other starts again and finds it.
    if (fresh !== undefined && !(await tx.console.insertSsoLink({ issuer, subject: claims.sub, userId: account.id, createdAt: now })))
      throw new LinkTaken();
    if (fresh === 'created') {
      await tx.console.insertUser(account);
      await appendAudit(tx, clock, actor, { action: 'user.created', target: account.id, details: { email, role, issuer } });
    }
    if (fresh !== undefined)
      await appendAudit(tx, clock, actor, { action: 'user.linked', target: account.id, details: { issuer, subject: claims.sub } });
    if (fresh !== 'created' && account.role !== role) {
      // The upstream changed the role: the sessions opened under the old one end.
      await tx.console.deleteUserSessions(account.id);
      await appendAudit(tx, clock, actor, {
        action: 'user.updated',
        target: account.id,
        details: { changed: ['role'], role, from: account.role, source: 'upstream' },
      });
    }
    await tx.console.updateUser(account.id, { role, failedLogins: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now });
    const opened = await deps.sessions.open({ ...account, role }, 'full', ip, userAgent, now, tx);
    await appendAudit(tx, clock, actor, { action: 'user.login', target: account.id, details: { method: 'upstream', issuer, role } });
    return opened;
  });
  return { ok: true, token, user: { ...account, role } };
}

async function newUser(
  deps: ConsoleSsoAccountDeps,
  settings: ConsoleSsoSettings,
  email: string,
  claims: JWTPayload,
  role: ConsoleRole,
  now: number,
): Promise<ConsoleUserRecord> {
  const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim().slice(0, 200) : null;
  // Made at a first sign-in: its home only, until an owner gives it more.
  return newConsoleUser({
    id: newId('consoleUser', now),
    workspaceId: settings.workspaceId,
    email,
    name,
    role,
    passwordHash: await deps.passwords.hash(randomBytes(32).toString('base64url')),
    recoveryPepperVersion: deps.keyring.currentPepperVersion,
    createdAt: now,
  });
}

/** The actor of a refused sign-in: the user when one was found, else an unknown one. */
export const refusedActor = (workspaceId: string, userId: string | null, ip: string): Actor => ({
  id: userId === null ? 'user:unknown' : `user:${userId}`,
  workspaceId,
  ip,
});
