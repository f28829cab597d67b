import { periodic, type Periodic } from './periodic.js';

/**
 * A node's background worker over work that comes due — deliveries to send, leases to revoke,
 * secrets to rotate, audit entries to follow — run every `intervalMs` once started, and on demand
 * (a test, an API call). A subclass says what one round does and answers how much it handled.
 */
export abstract class DueWork {
  private readonly rounds: Periodic<number>;

  protected constructor(intervalMs: number, onError: (err: unknown) => void) {
    this.rounds = periodic(intervalMs, () => this.round(), onError);
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Runs a round now, or joins the one under way; answers how much it handled. */
  runDue(): Promise<number> {
    return this.rounds.run();
  }

  /** One round over what is due now. */
  protected abstract round(): Promise<number>;
}

/**
 * Attempts each item in turn, each claimed in the store first so that two nodes never take the
 * same one; answers how many this node attempted (`attempt` answers false when another had it).
 */
export async function attemptEach<T>(items: readonly T[], attempt: (item: T) => Promise<boolean>): Promise<number> {
  let n = 0;
  for (const item of items) if (await attempt(item)) n++;
  return n;
}

/**
 * How a worker over claimed work runs (leases to revoke, secrets to rotate): each round, each
 * claim, each retry.
 */
export interface ClaimedWorkOptions {
  /** How often due work is looked for (ms). */
  intervalMs: number;
  /** How long a node holds an item it attempts; past it, another node may try (ms). */
  claimMs: number;
  /** Wait before attempt n+1 after a failure (seconds), by n; the last value repeats, for ever. */
  backoffSeconds: number[];
}

/** When the attempt after `attempts` failed ones is due, `at` the last one: by the backoff for n, the last value repeating. */
export function retryAt(backoffSeconds: readonly number[], attempts: number, at: number): number {
  return at + backoffSeconds[Math.min(attempts - 1, backoffSeconds.length - 1)]! * 1000;
}
