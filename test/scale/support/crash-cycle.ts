import { randomBytes } from 'node:crypto';
import type { KyselyStore } from '@tessera/store';
import { sql } from 'kysely';
import { spawnNode, type ProcessNode } from './process-node.js';

/**
 * One crash cycle: a node takes writes under load (keys created and revoked, secrets written,
 * each with its audit entry), is killed with SIGKILL at a random moment, and is started again
 * on the same data. Then every acknowledged write must be there, nothing half-written may be
 * visible, and the audit chain must verify.
 */
export interface Acked {
  keys: Map<string, { key: string; revoked: boolean }>;
  secrets: Map<string, { version: number; value: string }>;
}

export interface CycleReport {
  writes: number;
  failed: number;
  checkedKeys: number;
  checkedSecrets: number;
  auditEntries: number;
}

export function newAcked(): Acked {
  return { keys: new Map(), secrets: new Map() };
}

export async function crashCycle(o: {
  dataDir: string;
  env: Record<string, string>;
  rootKey: string;
  keyspaceId: string;
  acked: Acked;
  openStore: () => KyselyStore;
  /** Something to do mid-load, e.g. restart PostgreSQL; the load goes on meanwhile. */
  midLoad?: () => Promise<void>;
  loadMs?: number;
}): Promise<CycleReport> {
  const node = await spawnNode(o.dataDir, o.env, o.rootKey);
  let writes = 0;
  let failed = 0;
  let running = true;
  const unexpected: string[] = [];
  const writer = async () => {
    while (running) {
      try {
        if (await writeOnce(node, o.keyspaceId, o.acked)) writes++;
        else failed++;
      } catch (err) {
        failed++;
        if ((err as Error).message.startsWith('unexpected answer')) unexpected.push((err as Error).message);
        if ((err as Error).name === 'TimeoutError') unexpected.push(`no answer within 10 s (${lastWrite})`);
        // otherwise the connection died with the process
        if (node.proc.exitCode !== null || node.proc.signalCode !== null) return;
      }
    }
  };
  const writers = Array.from({ length: 6 }, writer);
  const loadMs = o.loadMs ?? 300 + Math.floor(Math.random() * 900);
  if (o.midLoad !== undefined) {
    await new Promise((r) => setTimeout(r, loadMs / 2));
    await o.midLoad();
    await new Promise((r) => setTimeout(r, loadMs));
  } else {
    await new Promise((r) => setTimeout(r, loadMs));
  }
  node.proc.kill('SIGKILL');
  await node.exited;
  running = false;
  await Promise.all(writers);

  if (unexpected.length > 0) throw new Error(`writes refused unexpectedly:\n${unexpected.slice(0, 5).join('\n')}`);
  const after = await spawnNode(o.dataDir, o.env, o.rootKey);
  try {
    return { writes, failed, ...(await check(after, o.acked, o.openStore)) };
  } finally {
    after.proc.kill('SIGTERM');
    await after.exited;
  }
}

/** One write; true when acknowledged (and then recorded as such). */
let lastWrite = '';

async function writeOnce(node: ProcessNode, keyspaceId: string, acked: Acked): Promise<boolean> {
  const roll = Math.random();
  lastWrite = roll < 0.5 ? 'create key' : roll < 0.7 ? 'revoke key' : 'write secret';
  if (roll < 0.5) {
    const r = await node.api('POST', '/v1/keys', { keyspaceId, name: 'crash', scopes: ['a:b'] });
    if (r.status !== 201) return refused(r);
    acked.keys.set(r.body.keyId, { key: r.body.key, revoked: false });
    return true;
  }
  if (roll < 0.7) {
    const live = [...acked.keys].filter(([, k]) => !k.revoked);
    if (live.length === 0) return false;
    const [id, k] = live[Math.floor(Math.random() * live.length)]!;
    const r = await node.api('POST', `/v1/keys/${id}/revoke`, { reason: 'crash test' });
    if (r.status !== 200) return refused(r);
    k.revoked = true;
    return true;
  }
  const name = `crash-s${Math.floor(Math.random() * 20)}`;
  const value = randomBytes(12).toString('hex');
  const r = await node.api('PUT', `/v1/secrets/${name}`, { value });
  if (r.status !== 200 && r.status !== 201) return refused(r);
  const prev = acked.secrets.get(name);
  if (prev === undefined || r.body.version > prev.version) acked.secrets.set(name, { version: r.body.version, value });
  return true;
}

/** Refusals are expected only while the store is away (503) or for a concurrent write of one secret (409). */
function refused(r: { status: number; body: any }): false {
  if (r.status !== 503 && r.status !== 409) throw new Error(`unexpected answer ${r.status}: ${JSON.stringify(r.body)}`);
  return false;
}

async function check(
  node: ProcessNode,
  acked: Acked,
  openStore: () => KyselyStore,
): Promise<{ checkedKeys: number; checkedSecrets: number; auditEntries: number }> {
  const problems: string[] = [];
  for (const [id, k] of acked.keys) {
    const r = await node.api('POST', '/v1/keys/verify', { key: k.key });
    const want = k.revoked ? ['REVOKED'] : ['VALID', 'REVOKED']; // a revoke in flight at the kill may have landed
    if (!want.includes(r.body.code) || r.body.keyId !== id) problems.push(`key ${id}: ${r.body.code}`);
  }
  for (const [name, s] of acked.secrets) {
    const r = await node.api('GET', `/v1/secrets/${name}?version=${s.version}`);
    if (r.status !== 200 || r.body.value !== s.value) problems.push(`secret ${name} v${s.version}: ${r.status}`);
  }
  const audit = await node.api('GET', '/v1/audit/verify');
  if (audit.body.ok !== true) problems.push(`audit chain: ${JSON.stringify(audit.body)}`);
  // Nothing half-written: every change in the tables has its audit entry, and the other way round.
  const store = openStore();
  try {
    const db = store.kysely;
    const orphanKeys = await sql<{
      id: string;
    }>`select id from keys where id not in (select target from audit_log where action = 'key.created')`.execute(db);
    const unrecordedRevocations = await sql<{
      id: string;
    }>`select id from keys where revoked_at is not null and id not in (select target from audit_log where action = 'key.revoked')`.execute(
      db,
    );
    const phantomEntries = await sql<{
      target: string;
    }>`select target from audit_log where action = 'key.created' and target not in (select id from keys)`.execute(db);
    for (const [label, rows] of [
      ['key without its audit entry', orphanKeys.rows],
      ['revocation without its audit entry', unrecordedRevocations.rows],
      ['audit entry without its key', phantomEntries.rows],
    ] as const) {
      if (rows.length > 0) problems.push(`${label}: ${JSON.stringify(rows.slice(0, 3))}`);
    }
  } finally {
    await store.close();
  }
  if (problems.length > 0) throw new Error(`after kill -9: ${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`);
  return { checkedKeys: acked.keys.size, checkedSecrets: acked.secrets.size, auditEntries: audit.body.checked };
}
