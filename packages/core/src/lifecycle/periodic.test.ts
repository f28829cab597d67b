import { describe, expect, it } from 'vitest';
import { periodic } from './periodic.js';

/** A job that stays running until released, counting its runs. */
function heldJob() {
  const releases: (() => void)[] = [];
  const j = {
    runs: 0,
    job: () => {
      j.runs++;
      return new Promise<number>((resolve) => releases.push(() => resolve(j.runs)));
    },
    release: () => releases.shift()?.(),
  };
  return j;
}

describe('periodic', () => {
  it('shares one run between calls made while it runs, and starts another after', async () => {
    const j = heldJob();
    const p = periodic(60_000, j.job);
    const [a, b] = [p.run(), p.run()];
    j.release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    const c = p.run();
    j.release();
    expect(await c).toBe(2);
  });

  it('runs on its timer once started, never twice at once, and stop waits for the run under way', async () => {
    const j = heldJob();
    const p = periodic(5, j.job);
    p.start();
    p.start(); // a second start adds no second timer
    while (j.runs === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30)); // ticks while the run is held join it
    expect(j.runs).toBe(1);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    j.release();
    await stopping;
    const runs = j.runs;
    await new Promise((r) => setTimeout(r, 30));
    expect(j.runs).toBe(runs);
  });

  it('hands a failed tick to onError and keeps ticking', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const p = periodic(
      5,
      async () => {
        if (++n === 1) throw new Error('first fails');
        return n;
      },
      (err) => errors.push(err),
    );
    p.start();
    while (n < 2) await new Promise((r) => setTimeout(r, 5));
    await p.stop();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('first fails');
  });
});
