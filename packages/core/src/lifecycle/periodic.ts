import { every, type Ticker } from './every.js';
import { oneAtATime } from './one-at-a-time.js';

/** A job run on a timer once started, and on demand at any time; {@link periodic} makes it. */
export interface Periodic<T> {
  /** Starts the timer (again after `stop`); a second call while started does nothing. */
  start(): void;
  /** Clears the timer and waits for a run under way, whoever started it. */
  stop(): Promise<void>;
  /** Runs the job now, or joins the run under way and answers its result. */
  run(): Promise<T>;
}

/**
 * A background job of a node — deliver what is due, read new entries, revoke expired leases —
 * run every `ms` milliseconds once started, and on demand (a test, an API call). A tick and a call
 * made while the job runs share that run; a failed tick goes to `onError`.
 *
 * @example
 * const rounds = periodic(5000, () => deliverDue(), (err) => log.error({ err }, 'delivery failed'));
 * rounds.start();
 * await rounds.run(); // now, or the run under way
 * await rounds.stop();
 */
export function periodic<T>(ms: number, job: () => Promise<T>, onError: (err: unknown) => void = () => {}): Periodic<T> {
  const runs = oneAtATime(job);
  let ticker: Ticker | undefined;
  return {
    start() {
      ticker ??= every(ms, () => runs.run(), onError);
    },
    async stop() {
      await ticker?.stop();
      ticker = undefined;
      await runs.settled();
    },
    run: () => runs.run(),
  };
}
