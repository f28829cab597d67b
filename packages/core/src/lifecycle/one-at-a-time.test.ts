import { describe, expect, it } from 'vitest';
import { oneAtATime } from './one-at-a-time.js';

describe('oneAtATime', () => {
  it('joins calls made while a run is under way, and runs again once it is done', async () => {
    let runs = 0;
    let release = () => {};
    const task = oneAtATime(() => {
      runs++;
      return new Promise<number>((resolve) => (release = () => resolve(runs)));
    });
    const [a, b] = [task.run(), task.run()];
    release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    const c = task.run();
    release();
    expect(await c).toBe(2);
  });

  it('settles after the run under way, even a failing one, and at once when none runs', async () => {
    await oneAtATime(async () => 1).settled();
    let fail = (_: Error) => {};
    const task = oneAtATime(() => new Promise<void>((_, reject) => (fail = reject)));
    const run = task.run();
    let settled = false;
    const waiting = task.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    fail(new Error('boom'));
    await expect(run).rejects.toThrow('boom');
    await waiting;
    expect(settled).toBe(true);
  });
});
