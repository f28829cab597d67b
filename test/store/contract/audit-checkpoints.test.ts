import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { useDatabase } from './records.js';

/** The port of audit checkpoints and their signing keys, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('audit checkpoint repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const checkpoint = (seq: number, over: { ts?: number; signature?: string; keyVersion?: number } = {}) => ({
    seq,
    hash: seq.toString(16).padStart(64, '0'),
    ts: 1_700_000_000_000 + seq,
    keyVersion: over.keyVersion ?? 1,
    signature: over.signature ?? `eyJhbGciOiJFZERTQSJ9.${seq}.sig`,
    ...over,
  });

  it('keeps one checkpoint per entry, the first written; the latest is the highest entry', async () => {
    const { store } = database();
    expect(await store.latestAuditCheckpoint()).toBeUndefined();
    expect(await store.listAuditCheckpoints(0, 10)).toEqual([]);
    expect(await store.insertAuditCheckpoint(checkpoint(1_000))).toBe(true);
    expect(await store.insertAuditCheckpoint(checkpoint(1_000, { signature: 'another node', ts: 5 }))).toBe(false);
    expect(await store.insertAuditCheckpoint(checkpoint(10))).toBe(true); // an older one written late
    expect(await store.latestAuditCheckpoint()).toEqual(checkpoint(1_000));
  });

  it('lists checkpoints after an entry in sequence order, at most as many as asked', async () => {
    const { store } = database();
    for (const seq of [3_000, 2_000, 2_500, 4_000_000_000]) await store.insertAuditCheckpoint(checkpoint(seq, { keyVersion: 2 }));
    const after = await store.listAuditCheckpoints(1_000, 100);
    expect(after).toEqual([2_000, 2_500, 3_000, 4_000_000_000].map((s) => checkpoint(s, { keyVersion: 2 })));
    expect((await store.listAuditCheckpoints(1_999, 2)).map((c) => c.seq)).toEqual([2_000, 2_500]);
    expect((await store.listAuditCheckpoints(2_000, 1)).map((c) => c.seq)).toEqual([2_500]);
    expect((await store.listAuditCheckpoints(0, 2)).map((c) => c.seq)).toEqual([10, 1_000]);
    expect(await store.listAuditCheckpoints(4_000_000_000, 10)).toEqual([]);
    expect(await store.latestAuditCheckpoint()).toEqual(checkpoint(4_000_000_000, { keyVersion: 2 }));
  });

  it('writes one checkpoint of an entry when nodes race to sign it', async () => {
    const { store } = database();
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.transaction((tx) => tx.insertAuditCheckpoint(checkpoint(5_000, { signature: `node ${i}` }))),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.listAuditCheckpoints(4_999, 1))[0]!.signature).toBe(`node ${outcomes.indexOf(true)}`);
  });

  it('keeps signing keys by version, the first written of each', async () => {
    const { store } = database();
    expect(await store.listAuditSigningKeys()).toEqual([]);
    const key = (version: number, privateKey = `v1.instance.1.iv.ct${version}.tag`) => ({
      version,
      publicKey: `MCowBQYDK2VwAyEA${version}`,
      privateKey,
      createdAt: 1_700_000_000_000 + version,
    });
    expect(await store.insertAuditSigningKey(key(2))).toBe(true);
    expect(await store.insertAuditSigningKey(key(1))).toBe(true);
    expect(await store.insertAuditSigningKey(key(1, 'planted'))).toBe(false);
    expect(await store.listAuditSigningKeys()).toEqual([key(1), key(2)]);
  });
});
