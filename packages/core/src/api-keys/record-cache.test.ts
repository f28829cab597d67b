import { describe, expect, it } from 'vitest';
import { isNegative, RecordCache } from './record-cache.js';

describe('record cache', () => {
  const options = { maxEntries: 3, maxNegativeEntries: 2, negativeTtlMs: 1000 };

  it('finds entries by digest and forgets them by id; an unknown key turned known replaces its negative entry', () => {
    const c = new RecordCache<{ id: string; hot: boolean }>(options);
    const d = c.digest('key-a');
    expect(c.digest('key-a')).toBe(d);
    expect(c.digest('key-b')).not.toBe(d);
    c.set(d, { id: 'a', hot: false });
    expect(c.get(d, 0)).toMatchObject({ id: 'a' });
    expect(c.peekById('a')).toMatchObject({ id: 'a' });
    const generation = c.generation;
    c.invalidateId('a');
    expect(c.generation).toBeGreaterThan(generation);
    expect(c.get(d, 0)).toBeUndefined();
    expect(c.peekById('a')).toBeUndefined();
    c.setNegative(d, 'hash-a', 0);
    expect(isNegative(c.get(d, 0))).toBe(true);
    c.set(d, { id: 'a', hot: false });
    expect(c.get(d, 0)).toMatchObject({ id: 'a' });
    c.invalidateHash('hash-a'); // the negative entry's hash went with it: nothing left to forget by hash
    expect(c.get(d, 0)).toMatchObject({ id: 'a' });
  });

  it('keeps unknown keys negative for a while, bounded, and clears them by hash', () => {
    const c = new RecordCache<{ id: string; hot: boolean }>(options);
    c.setNegative('d1', 'h1', 0);
    expect(isNegative(c.get('d1', 500))).toBe(true);
    expect(c.get('d1', 1000)).toBeUndefined(); // expired
    c.setNegative('d1', 'h1', 0);
    c.invalidateHash('h1'); // the key was just created
    expect(c.get('d1', 0)).toBeUndefined();
    c.setNegative('d1', 'h1', 0);
    c.setNegative('d2', 'h2', 0);
    c.setNegative('d3', 'h3', 0);
    expect(c.get('d1', 0)).toBeUndefined(); // the oldest went first
    expect(isNegative(c.get('d3', 0))).toBe(true);
  });

  it('evicts cold entries first when full (CLOCK)', () => {
    const c = new RecordCache<{ id: string; hot: boolean }>(options);
    for (const id of ['a', 'b', 'c']) c.set(`d-${id}`, { id, hot: false });
    c.get('d-a', 0); // a is hot
    c.set('d-d', { id: 'd', hot: false });
    expect(c.size).toBe(3);
    expect(c.get('d-a', 0)).toBeDefined();
    expect(c.get('d-b', 0)).toBeUndefined();
  });
});
