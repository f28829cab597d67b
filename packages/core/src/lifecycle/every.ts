/** A task run on a timer; {@link every} starts it. */
export interface Ticker {
  /** Clears the timer and waits for a run under way; no run starts after it. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `ms` milliseconds until stopped. A run never overlaps the one before it: a
 * tick that comes while the task still runs is skipped. A run's failure goes to `onError` and the
 * next tick runs as usual. The timer is unref'd, so it never keeps the process alive.
 *
 * @example
 * const flusher = every(1000, () => batch.flush(), (err) => log.error({ err }, 'flush failed'));
 * await flusher.stop();
 */
export function every(
  ms: number,
  task: () => unknown,
  onError: (err: unknown) => void = () => {},
  options: { now?: boolean } = {},
): Ticker {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running !== undefined) return;
    let result: unknown;
    try {
      result = task();
    } catch (err) {
      result = Promise.reject(err);
    }
    running = Promise.resolve(result).then(
      () => {
        running = undefined;
      },
      (err: unknown) => {
        running = undefined;
        onError(err);
      },
    );
  };
  const timer = setInterval(run, ms);
  timer.unref();
  if (options.now === true) run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
