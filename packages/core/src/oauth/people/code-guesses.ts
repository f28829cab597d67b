import type { Clock } from '../../clock.js';
import type { EndUserRepos } from './end-user-repos.js';

export interface CodeGuessLimits {
  /** Wrong codes one user's sign-ins may send per window, from every network and node together. */
  perUser: number;
  windowMs: number;
}

/** Ten wrong codes in fifteen minutes: a guess of a six-digit code then succeeds once in some 33,000 windows. */
export const DEFAULT_CODE_GUESS_LIMITS: CodeGuessLimits = { perUser: 10, windowMs: 15 * 60_000 };

/**
 * Second-factor codes counted per user in fixed windows (NIST SP 800-63B §5.2.2): someone who
 * holds a user's password and spreads code guesses over many addresses stays under every
 * per-network limit, so past `perUser` wrong codes in a window no code of that user is checked
 * until the window ends. A right code ends the window. Counted in the database, before the code is
 * checked: guesses spread over nodes, or sent at once in parallel, count together.
 */
export class CodeGuesses {
  constructor(
    private readonly deps: { store: Pick<EndUserRepos, 'countCodeGuess' | 'clearCodeGuesses'>; clock: Clock },
    private readonly limits: CodeGuessLimits = DEFAULT_CODE_GUESS_LIMITS,
  ) {}

  /** Counts a code about to be checked; false when the user's window has no guess left (then it is not checked). */
  async admit(userId: string): Promise<boolean> {
    const guesses = await this.deps.store.countCodeGuess(userId, this.deps.clock.now(), this.limits.windowMs);
    return guesses <= this.limits.perUser;
  }

  /** A right code: the window ends. */
  succeeded(userId: string): Promise<void> {
    return this.deps.store.clearCodeGuesses(userId);
  }
}
