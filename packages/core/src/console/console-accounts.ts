import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { Store } from '../store/store.js';
import { ConsolePasskeys } from './console-passkeys.js';
import { DEFAULT_CONSOLE_POLICY, type ConsolePolicy } from './console-policy.js';
import { ConsoleSessions } from './console-sessions.js';
import { ConsoleSignIn } from './console-sign-in.js';
import { ConsoleUsers } from './console-users.js';
import { DecoyTokens } from './decoy-tokens.js';
import { PasswordHasher } from './password-hasher.js';
import { SignInLockout, type SignInFailures } from './sign-in-lockout.js';
import { TotpEnrolment } from './totp-enrolment.js';

export interface ConsoleAccountsDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  /** Told of repeated sign-in failures (an account locked, or an address throttled), to raise an anomaly. */
  onRepeatedFailures?: (event: SignInFailures) => void;
}

/**
 * People who sign in to the console: argon2id passwords, a mandatory TOTP second factor with
 * recovery codes (a registered passkey may stand in for the TOTP code), sessions with idle and
 * absolute ends, and lockout after repeated failures. Each part is its own file; this wires them
 * to one policy, one password hashing thread and one count of failures.
 */
export class ConsoleAccounts {
  readonly policy: ConsolePolicy;
  readonly users: ConsoleUsers;
  readonly signIn: ConsoleSignIn;
  readonly enrolment: TotpEnrolment;
  readonly sessions: ConsoleSessions;
  readonly passkeys: ConsolePasskeys;
  /** Failed sign-ins: the throttle per network, the audit budget, and accounts' locks. */
  readonly lockout: SignInLockout;
  private readonly clock: Clock;
  /** argon2id off libuv's thread pool, which signs access tokens; end users' passwords share it. */
  readonly passwords = new PasswordHasher();

  constructor(deps: ConsoleAccountsDeps, policy: Partial<ConsolePolicy> = {}) {
    this.policy = { ...DEFAULT_CONSOLE_POLICY, ...policy };
    const { store, keyring, clock } = deps;
    this.clock = clock;
    const lockout = new SignInLockout({ store, clock, onRepeatedFailures: deps.onRepeatedFailures }, this.policy);
    const sessions = new ConsoleSessions({ store, clock }, this.policy);
    const decoys = new DecoyTokens((input) => keyring.hash('console_decoy', input), clock, sessions.halfSessionMs);
    this.lockout = lockout;
    this.sessions = sessions;
    this.users = new ConsoleUsers({ store, keyring, clock, passwords: this.passwords, lockout });
    this.signIn = new ConsoleSignIn({ store, keyring, clock, sessions, lockout, passwords: this.passwords, decoys });
    this.enrolment = new TotpEnrolment({ store, keyring, clock, sessions, lockout });
    this.passkeys = new ConsolePasskeys({ store, clock, signIn: this.signIn });
  }

  /**
   * Drops ended sessions and writes the summary of failed sign-ins left out of the audit log once
   * their window is over (`flush`: now). The console's routes call it every minute.
   */
  async maintain(flush = false): Promise<number> {
    const now = this.clock.now();
    await this.lockout.writeSummary(flush);
    return this.sessions.purge(now);
  }

  /** Stops the password hashing thread (a later call starts another). */
  async close(): Promise<void> {
    await this.passwords.close();
  }
}
