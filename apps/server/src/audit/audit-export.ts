import type { Services } from '../wiring/services.js';
import { auditView, iso } from '../http/views.js';

/** The public halves of the audit signing keys (RFC 7517), to verify exported checkpoints offline. */
export const AUDIT_KEYS_PATH = '/.well-known/tessera-audit-keys.json';

/**
 * Entries (then checkpoints) as JSON lines, read in pages so the log never sits in memory whole.
 * With `workspaceId` (the API's export): that workspace's entries and the installation's own
 * (no workspace: signing keys, keyring); another workspace's entry only as the link of the chain
 * it is (`seq`, `prevHash`, `hash`, `redacted: true`), so the export still verifies offline.
 * Without (the CLI's export, by someone who holds the database anyway): every entry.
 */
export async function* auditLines(
  services: Pick<Services, 'store'>,
  fromSeq: number,
  withCheckpoints: boolean,
  workspaceId?: string,
  pageSize = 1000,
): AsyncGenerator<string> {
  for (let seq = fromSeq; ;) {
    const page = await services.store.scanAudit(seq, pageSize);
    for (const e of page) {
      const visible = workspaceId === undefined || e.workspaceId === workspaceId || e.workspaceId === null;
      yield JSON.stringify(visible ? auditView(e) : { seq: e.seq, prevHash: e.prevHash, hash: e.hash, redacted: true }) + '\n';
    }
    if (page.length < pageSize) break;
    seq = page[page.length - 1]!.seq + 1;
  }
  if (!withCheckpoints) return;
  for (let after = fromSeq - 1; ;) {
    const page = await services.store.listAuditCheckpoints(after, pageSize);
    for (const c of page) yield JSON.stringify({ checkpoint: { ...c, ts: iso(c.ts) } }) + '\n';
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.seq;
  }
}
