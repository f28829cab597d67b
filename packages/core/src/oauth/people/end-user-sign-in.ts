import { appendAudit, type Actor, type AuditDraft } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { normaliseEmail } from '../../console/console-policy.js';
import { FailedSignIns } from '../../console/failed-sign-ins.js';
import type { PasswordHasher } from '../../console/password-hasher.js';
import type { OAuthStore } from '../oauth-store.js';
import { CodeGuesses } from './code-guesses.js';
import type { EndUserRecord } from './end-user-records.js';

/** The longest email and password looked at; anything longer cannot be right. */
const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;

/** How failed sign-ins are throttled and audited; the console's defaults. */
export interface SignInLimits {
  /** Failed sign-ins one source network (an IPv4 address, an IPv6 /64) may make in a window… */
  perNetwork: number;
  /** …of this long, before it is throttled. */
  windowMs: number;
  /** Failed sign-ins audited one by one per window; past it they are summed into one entry. */
  auditBudget: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perNetwork: 30, windowMs: 15 * 60_000, auditBudget: 25 };

export interface EndUserSignInDeps {
  store: OAuthStore;
  clock: Clock;
  passwords: PasswordHasher;
  signInLimits?: SignInLimits | undefined;
}

/** A sign-in: the user, or why not (`throttled`: the address failed too often; nothing was checked). */
/** `secondFactor`: the password was right, and the user must give their TOTP code or a passkey before they are signed in. */
export type EndUserSignInOutcome = { ok: true; user: EndUserRecord; secondFactor: boolean } | { ok: false; throttled: boolean };

/**
 * Checks an end user's email and password, the console's way: an unknown email costs the same
 * argon2id verification as a known one (a decoy hash), and every outcome but success reads the
 * same, so neither the answer nor its time tells whether an email exists. Failures are counted
 * per source network (throttled past the limit, before any password work) and audited within a
 * budget per window; past it they are summed into one `end_user.sign_in_failures` entry.
 */
export class EndUserSignIn {
  private readonly failures: FailedSignIns;
  /** Second-factor codes per user, whatever network or node they come from (shared by every flow). */
  readonly codeGuesses: CodeGuesses;

  constructor(private readonly deps: EndUserSignInDeps) {
    this.failures = new FailedSignIns(deps.clock, deps.signInLimits ?? DEFAULT_SIGN_IN_LIMITS);
    this.codeGuesses = new CodeGuesses(deps);
  }

  async signIn(
    workspaceId: string,
    input: { email: string; password: string; ip: string; clientId: string | null },
  ): Promise<EndUserSignInOutcome> {
    const { store, clock, passwords } = this.deps;
    if (this.failures.throttled(input.ip)) return { ok: false, throttled: true };
    const email = normaliseEmail(input.email).slice(0, MAX_EMAIL);
    const password = input.password.slice(0, MAX_PASSWORD);
    const user = email === '' ? undefined : await store.findEndUserByEmail(workspaceId, email);
    let good = false;
    // A user made at a federated sign-in has no password (an empty hash): nothing matches it.
    if (user === undefined || user.passwordHash === '') await passwords.verifyDecoy(password);
    else good = await passwords.verify(user.passwordHash, password);
    const now = clock.now();
    const actor: Actor = { id: user === undefined ? 'end_user:unknown' : `end_user:${user.id}`, workspaceId, ip: input.ip };
    if (user !== undefined && good && user.disabledAt === null) {
      // With a second factor the sign-in is made (and audited) once the code or passkey is right.
      if (user.totpSecret !== null || (await store.endUserPasskeys.list(user.id)).length > 0) return { ok: true, user, secondFactor: true };
      await store.transaction(async (tx) => {
        await tx.updateEndUser(user.id, { lastSignInAt: now });
        await appendAudit(tx, clock, actor, {
          action: 'end_user.signed_in',
          target: user.id,
          details: { clientId: input.clientId, amr: ['pwd'] },
        });
      });
      return { ok: true, user: { ...user, lastSignInAt: now }, secondFactor: false };
    }
    const reason = user === undefined ? 'unknown_user' : !good ? 'password' : 'disabled';
    await this.failed(actor, { target: user?.id ?? null, clientId: input.clientId, reason, ...(user === undefined && { email }) });
    return { ok: false, throttled: false };
  }

  /** Whether the address failed too often (passwords and second-factor codes alike) to be checked now. */
  throttled(ip: string): boolean {
    return this.failures.throttled(ip);
  }

  /**
   * Counts a failure against the address (a wrong password, a wrong or replayed code) and audits
   * it as `end_user.sign_in_failed` while the window's budget lasts, else into the summary.
   */
  async failed(
    actor: Actor,
    f: { target: string | null; clientId: string | null; reason: string; email?: string; providerId?: string },
  ): Promise<void> {
    const { target, ...details } = f;
    // The last window's summary first: counting this failure may start a new window.
    const summary = this.failures.takeSummary();
    const { audit } = this.failures.count(actor.ip ?? '', f.reason);
    const entries: AuditDraft[] = [];
    if (audit) entries.push({ action: 'end_user.sign_in_failed', target, details });
    if (summary !== undefined) entries.push({ action: 'end_user.sign_in_failures', target: null, details: { ...summary } });
    if (entries.length > 0)
      await this.deps.store.transaction(async (tx) => {
        for (const e of entries) await appendAudit(tx, this.deps.clock, actor, e);
      });
  }
}
