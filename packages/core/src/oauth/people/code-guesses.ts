import type { Clock } from '../../clock.js';

export interface CodeGuessLimits {
  /** Wrong codes one user's sign-ins may send per window, from every network together. */
  perUser: number;
  windowMs: number;
  /** Users tracked at once; past it the oldest window is forgotten. */
  maxUsers?: number;
}

/** Ten wrong codes in fifteen minutes: a guess of a six-digit code then succeeds once in some 33,000 windows. */
export const DEFAULT_CODE_GUESS_LIMITS: CodeGuessLimits = { perUser: 10, windowMs: 15 * 60_000 };

/**
 * Wrong second-factor codes counted per user in fixed windows (NIST SP 800-63B §5.2.2): someone
 * who holds a user's password and spreads code guesses over many addresses stays under every
 * per-network limit, so past `perUser` wrong codes in a window no code of that user is checked until
 * the window ends. A right code ends the window. Counted on each node.
 */
export class CodeGuesses {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: CodeGuessLimits = DEFAULT_CODE_GUESS_LIMITS,
  ) {}

  throttled(userId: string): boolean {
    const w = this.current(userId);
    return w !== undefined && w.failures >= this.limits.perUser;
  }

  failed(userId: string): void {
    let w = this.current(userId);
    if (w === undefined) {
      w = { start: this.clock.now(), failures: 0 };
      this.windows.delete(userId);
      this.windows.set(userId, w);
      if (this.windows.size > (this.limits.maxUsers ?? 100_000)) this.windows.delete(this.windows.keys().next().value!);
    }
    w.failures++;
  }

  succeeded(userId: string): void {
    this.windows.delete(userId);
  }

  private current(userId: string): { start: number; failures: number } | undefined {
    const w = this.windows.get(userId);
    return w !== undefined && this.clock.now() - w.start < this.limits.windowMs ? w : undefined;
  }
}
