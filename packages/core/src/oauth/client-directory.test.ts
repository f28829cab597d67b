import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { ClientDirectory } from './client-directory.js';
import type { ClientSecretRecord, OAuthClientRecord } from './oauth-records.js';

/** A store of clients that counts its reads and can hold one read back until told to go on. */
function repos(clock: ManualClock) {
  const clients = new Map<string, OAuthClientRecord>();
  const secrets = new Map<string, ClientSecretRecord[]>();
  let hold: Promise<void> | undefined;
  return {
    clients,
    secrets,
    reads: 0,
    holdNextRead(): () => void {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return release;
    },
    async getClient(id: string) {
      this.reads++;
      const client = clients.get(id);
      if (hold !== undefined) {
        const h = hold;
        hold = undefined;
        await h;
      }
      return client === undefined ? undefined : { ...client };
    },
    async listLiveClientSecrets(id: string, now: number) {
      return (secrets.get(id) ?? []).filter((s) => s.expiresAt === null || s.expiresAt > now);
    },
    put(id: string, name = id, secretExpiresAt: number | null = null) {
      clients.set(id, { id, name, deletedAt: null } as OAuthClientRecord);
      secrets.set(id, [{ id: `s-${id}`, clientId: id, hash: 'h', pepperVersion: 1, createdAt: clock.now(), expiresAt: secretExpiresAt }]);
    },
  };
}

describe('client directory', () => {
  it('reads a client once, then from memory, until it is invalidated', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    r.put('c1', 'first');
    const d = new ClientDirectory(r, clock);
    expect((await d.getClient('c1'))?.name).toBe('first');
    expect((await d.getClient('c1'))?.name).toBe('first');
    expect(r.reads).toBe(1);
    r.put('c1', 'second');
    expect((await d.getClient('c1'))?.name).toBe('first'); // no word from the bus yet
    d.invalidate('c1');
    expect((await d.getClient('c1'))?.name).toBe('second');
    expect(r.reads).toBe(2);
    r.put('c1', 'third');
    d.clear(); // a bus gap: everything goes
    expect((await d.getClient('c1'))?.name).toBe('third');
  });

  it('drops secrets once they expire, without a read', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    r.put('c1', 'c1', clock.now() + 1000);
    const d = new ClientDirectory(r, clock);
    expect(await d.listLiveClientSecrets('c1', clock.now())).toHaveLength(1);
    clock.advance(1000);
    expect(await d.listLiveClientSecrets('c1', clock.now())).toHaveLength(0);
    expect(r.reads).toBe(1);
  });

  it('reads again after the safety-net lifetime even when no invalidation came', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    r.put('c1', 'first');
    const d = new ClientDirectory(r, clock, { maxEntries: 10, ttlMs: 60_000 });
    await d.getClient('c1');
    r.put('c1', 'second');
    clock.advance(59_999);
    expect((await d.getClient('c1'))?.name).toBe('first');
    clock.advance(1);
    expect((await d.getClient('c1'))?.name).toBe('second');
  });

  it('does not keep a read that raced with an invalidation', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    r.put('c1', 'old');
    const d = new ClientDirectory(r, clock);
    const release = r.holdNextRead();
    const racing = d.getClient('c1'); // read 'old', not yet answered
    r.put('c1', 'new');
    d.invalidate('c1'); // the change lands while the read is in flight
    release();
    expect((await racing)?.name).toBe('old'); // this caller started before the change
    expect((await d.getClient('c1'))?.name).toBe('new'); // but 'old' was not kept
    expect(r.reads).toBe(2);
  });

  it('keeps no unknown ids and at most maxEntries clients', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    const d = new ClientDirectory(r, clock, { maxEntries: 2, ttlMs: 60_000 });
    expect(await d.getClient('nobody')).toBeUndefined();
    expect(await d.listLiveClientSecrets('nobody', clock.now())).toEqual([]);
    expect(d.size).toBe(0);
    for (const id of ['a', 'b', 'c']) {
      r.put(id);
      await d.getClient(id);
    }
    expect(d.size).toBe(2);
    const reads = r.reads;
    await d.getClient('a'); // the oldest went first
    expect(r.reads).toBe(reads + 1);
  });

  it('recalls a secret that authenticated before only while its record is live and the entry stands', async () => {
    const clock = new ManualClock();
    const r = repos(clock);
    r.put('c1', 'c1', clock.now() + 5000);
    const d = new ClientDirectory(r, clock);
    const digest = (s: string) => createHash('sha256').update(s).digest();
    expect(d.recall('c1', digest('right'), clock.now())).toBe(false); // nothing read or remembered yet
    const [secret] = await d.listLiveClientSecrets('c1', clock.now());
    expect(d.recall('c1', digest('right'), clock.now())).toBe(false);
    d.remember('c1', digest('right'), secret!);
    d.remember('c1', digest('right'), secret!); // once per record
    expect(d.recall('c1', digest('right'), clock.now())).toBe(true);
    expect(d.recall('c1', digest('wrong'), clock.now())).toBe(false);
    expect(d.recall('c2', digest('right'), clock.now())).toBe(false);
    // A record that is not the entry's own is not remembered.
    d.remember('c1', digest('other'), { ...secret! });
    expect(d.recall('c1', digest('other'), clock.now())).toBe(false);
    // The secret's end (a rotation's overlap) is checked on every recall, not only on reads.
    clock.advance(5000);
    expect(d.recall('c1', digest('right'), clock.now())).toBe(false);
    // A change to the client forgets what it remembered.
    r.put('c1');
    d.invalidate('c1');
    const [renewed] = await d.listLiveClientSecrets('c1', clock.now());
    expect(d.recall('c1', digest('right'), clock.now())).toBe(false);
    d.remember('c1', digest('right'), renewed!);
    expect(d.recall('c1', digest('right'), clock.now())).toBe(true);
    // And so does the entry's safety-net lifetime.
    clock.advance(60_000);
    expect(d.recall('c1', digest('right'), clock.now())).toBe(false);
  });
});
