import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { every } from './every.js';

/** Waits until `cond` holds (a loaded machine delays timers), failing after five seconds. */
async function until(cond: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !cond(); await sleep(5)) if (Date.now() > deadline) throw new Error('timed out');
}

/** A task that stays running until released, counting its runs. */
function heldTask() {
  let release = () => {};
  const t = {
    runs: 0,
    done: false,
    task: () => {
      t.runs++;
      return new Promise<void>((resolve) => (release = resolve)).then(() => {
        t.done = true;
      });
    },
    release: () => release(),
  };
  return t;
}

describe('every', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs the task on each tick', async () => {
    let runs = 0;
    const ticker = every(5, () => runs++);
    await until(() => runs >= 3);
    await ticker.stop();
  });

  it('skips ticks while a run is under way: runs never overlap', async () => {
    const t = heldTask();
    const ticker = every(5, t.task);
    await sleep(60);
    expect(t.runs).toBe(1);
    t.release();
    await until(() => t.runs === 2);
    t.release();
    await ticker.stop();
  });

  it('stop waits for the run under way, and no run starts after it', async () => {
    const t = heldTask();
    const ticker = every(5, t.task, undefined, { now: true });
    expect(t.runs).toBe(1);
    const stopped = ticker.stop();
    let settled = false;
    void stopped.then(() => (settled = true));
    await sleep(30);
    expect(settled).toBe(false);
    t.release();
    await stopped;
    expect(t.done).toBe(true);
    await sleep(30);
    expect(t.runs).toBe(1);
  });

  it('sends a failure to onError and keeps ticking, whether the task throws or rejects', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const ticker = every(
      5,
      () => {
        n++;
        if (n === 1) throw new Error('thrown');
        if (n === 2) return Promise.reject(new Error('rejected'));
        return undefined;
      },
      (err) => errors.push(err),
      { now: true },
    );
    await until(() => n >= 3);
    await ticker.stop();
    expect(errors.map((e) => (e as Error).message)).toEqual(['thrown', 'rejected']);
  });

  it('runs at once with `now`, and not before the first tick without it', async () => {
    let runs = 0;
    const later = every(60_000, () => runs++);
    expect(runs).toBe(0);
    const now = every(60_000, () => runs++, undefined, { now: true });
    expect(runs).toBe(1);
    await later.stop();
    await now.stop();
  });

  it('unrefs its timer, so it never keeps the process alive', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const ticker = every(60_000, () => {});
    const timer = setInterval.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await ticker.stop();
  });
});
