import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * Writes to a running Tessera as fast as a few workers can — creates, rolls and revokes keys,
 * stores secret versions, and verifies keys in between — and keeps a ledger of every write the
 * server acknowledged, with the moment it did. A restore drill then checks that every write
 * acknowledged before the backup began is in the restored instance.
 */
export type KeyState = 'VALID' | 'ROLLED' | 'REVOKED';

export interface KeyEntry {
  key: string;
  /** States, in order, each with the moment the write that made it was acknowledged. */
  events: { at: number; state: KeyState }[];
  /** Made by rolling another key: its first event is that roll's write, counted there. */
  fromRoll: boolean;
  busy: boolean;
}

export interface Ledger {
  keys: Map<string, KeyEntry>;
  secrets: Map<string, Map<number, { value: string; at: number }>>;
  writes: number[];
  verifies: number;
  /** Live verifications whose code was not the one the ledger expected. */
  verifyMismatches: string[];
  errors: string[];
}

/** The code a key in this state verifies with (a rolled key is still in its grace period). */
export const codeOf = (state: KeyState): string => (state === 'REVOKED' ? 'REVOKED' : 'VALID');

export function startLoad(o: { url: string; rootKey: string; keyspaceId: string; workers?: number }): {
  ledger: Ledger;
  stop(): Promise<Ledger>;
} {
  const ledger: Ledger = { keys: new Map(), secrets: new Map(), writes: [], verifies: 0, verifyMismatches: [], errors: [] };
  let running = true;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(o.url + path, {
      method,
      headers: { authorization: `Bearer ${o.rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const pick = (filter: (e: KeyEntry) => boolean): [string, KeyEntry] | undefined => {
    const candidates = [...ledger.keys].filter(([, e]) => !e.busy && filter(e));
    return candidates[Math.floor(Math.random() * candidates.length)];
  };
  const last = (e: KeyEntry) => e.events[e.events.length - 1]!.state;
  let secretNo = 0;
  const writing = new Set<string>();

  const step = async () => {
    const r = Math.random();
    if (r < 0.3 || ledger.keys.size < 5) {
      const created = await call('POST', '/v1/keys', { keyspaceId: o.keyspaceId, ownerId: `owner_${ledger.keys.size % 7}` });
      const at = performance.now();
      ledger.keys.set(created.keyId, { key: created.key, events: [{ at, state: 'VALID' }], fromRoll: false, busy: false });
      ledger.writes.push(at);
    } else if (r < 0.45) {
      const found = pick((e) => last(e) === 'VALID');
      if (found === undefined) return;
      const [id, entry] = found;
      entry.busy = true;
      try {
        const rolled = await call('POST', `/v1/keys/${id}/roll`, { gracePeriodSeconds: 3600 });
        const at = performance.now();
        entry.events.push({ at, state: 'ROLLED' });
        ledger.keys.set(rolled.keyId, { key: rolled.key, events: [{ at, state: 'VALID' }], fromRoll: true, busy: false });
        ledger.writes.push(at);
      } finally {
        entry.busy = false;
      }
    } else if (r < 0.55) {
      const found = pick((e) => last(e) === 'VALID');
      if (found === undefined) return;
      const [id, entry] = found;
      entry.busy = true;
      try {
        await call('POST', `/v1/keys/${id}/revoke`, { reason: 'drill' });
        const at = performance.now();
        entry.events.push({ at, state: 'REVOKED' });
        ledger.writes.push(at);
      } finally {
        entry.busy = false;
      }
    } else if (r < 0.75) {
      // A new secret, or a new version of one stored before.
      // (One writer per name at a time: concurrent writes of one secret answer CONFLICT by design.)
      let name = secretNo > 0 && Math.random() < 0.4 ? `drill/s${Math.floor(Math.random() * secretNo)}` : `drill/s${secretNo++}`;
      if (writing.has(name)) name = `drill/s${secretNo++}`;
      writing.add(name);
      try {
        const value = randomBytes(24).toString('base64url');
        const put = await call('PUT', `/v1/secrets/${name}`, { value });
        const at = performance.now();
        if (!ledger.secrets.has(name)) ledger.secrets.set(name, new Map());
        ledger.secrets.get(name)!.set(put.version, { value, at });
        ledger.writes.push(at);
      } finally {
        writing.delete(name);
      }
    } else {
      const found = pick(() => true);
      if (found === undefined) return;
      const [, entry] = found;
      const expected = codeOf(last(entry));
      entry.busy = true;
      try {
        const v = await call('POST', '/v1/keys/verify', { key: entry.key });
        ledger.verifies++;
        if ((v.valid ? 'VALID' : v.code) !== expected) ledger.verifyMismatches.push(`${v.code} instead of ${expected}`);
      } finally {
        entry.busy = false;
      }
    }
  };

  const worker = async () => {
    while (running) {
      try {
        await step();
      } catch (err) {
        ledger.errors.push((err as Error).message);
        if (ledger.errors.length > 20) running = false;
      }
    }
  };
  const workers = Array.from({ length: o.workers ?? 4 }, () => worker());
  return {
    ledger,
    async stop() {
      running = false;
      await Promise.all(workers);
      return ledger;
    },
  };
}
