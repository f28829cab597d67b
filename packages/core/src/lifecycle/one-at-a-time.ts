/** A task that never runs twice at once; {@link oneAtATime} makes it. */
export interface OneAtATime<T> {
  /** Runs the task, or joins the run under way and answers its result. */
  run(): Promise<T>;
  /** Waits for the run under way, if any, whatever its outcome. */
  settled(): Promise<void>;
}

/**
 * Wraps a task so that calls made while it runs join that run instead of starting another: a
 * timer's tick and a caller asking for the same work now (a test, an API call) share one pass.
 *
 * @example
 * const polls = oneAtATime(() => feed.read());
 * await Promise.all([polls.run(), polls.run()]); // one read
 */
export function oneAtATime<T>(task: () => Promise<T>): OneAtATime<T> {
  let running: Promise<T> | undefined;
  return {
    run: () =>
      (running ??= task().finally(() => {
        running = undefined;
      })),
    settled: async () => {
      await running?.catch(() => {});
    },
  };
}
