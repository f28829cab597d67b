import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.js';

function recording() {
  const log: string[] = [];
  const part = (name: string, fail?: 'stop') => ({
    start: () => void log.push(`start ${name}`),
    stop: async () => {
      log.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} failed to stop`);
    },
  });
  return { log, part };
}

describe('Lifecycle', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const { log, part } = recording();
    const lifecycle = new Lifecycle().add('store', part('store')).add('usage', part('usage')).add('webhooks', part('webhooks'));
    await lifecycle.start();
    await lifecycle.stop();
    expect(log).toEqual(['start store', 'start usage', 'start webhooks', 'stop webhooks', 'stop usage', 'stop store']);
  });

  it('starts named parts only, each once, and stops every part, started or not', async () => {
    const { log, part } = recording();
    const lifecycle = new Lifecycle().add('a', part('a')).add('b', part('b')).add('c', part('c'));
    await lifecycle.start(['b']);
    await lifecycle.start();
    await lifecycle.stop();
    expect(log).toEqual(['start b', 'start a', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stops the other parts when one fails to stop, then throws its failure', async () => {
    const { log, part } = recording();
    const lifecycle = new Lifecycle().add('a', part('a')).add('b', part('b', 'stop')).add('c', part('c'));
    await expect(lifecycle.stop()).rejects.toThrow('b failed to stop');
    expect(log).toEqual(['stop c', 'stop b', 'stop a']);
  });

  it('takes parts with only a start or only a stop, and refuses a name twice', async () => {
    const lifecycle = new Lifecycle().add('only-stop', { stop: () => {} }).add('only-start', { start: () => {} });
    await lifecycle.start();
    await lifecycle.stop();
    expect(() => lifecycle.add('only-stop', {})).toThrow('only-stop');
  });
});
