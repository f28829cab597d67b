import type { Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { UsageRepos } from '../usage/usage-repos.js';
import type { HoneytokenRepos } from '../anomaly/honeytoken-repos.js';
import type { KeyInventoryRepos } from './key-inventory-repos.js';
import { suggestScopes } from './scope-suggestion.js';

export const DAY = 86_400_000;

export interface HygieneQuery {
  keyspaceId: string;
  /** "Unused": no use for this many days. */
  unusedDays: number;
  /** "Expiring soon": within this many days. */
  expiringDays: number;
  /** Scopes not needed by any verification in this many days count as unexercised. */
  privilegeDays: number;
}

export interface KeyBrief {
  keyId: string;
  start: string;
  name: string | null;
  ownerId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export interface OverPrivileged extends KeyBrief {
  granted: string[];
  exercised: string[];
  unused: string[];
  suggested: string[];
}

export interface HygieneReport {
  keyspaceId: string;
  generatedAt: number;
  liveKeys: number;
  neverUsed: KeyBrief[];
  unused: KeyBrief[];
  expiringSoon: KeyBrief[];
  noExpiry: KeyBrief[];
  overPrivileged: OverPrivileged[];
}

const brief = (k: KeyRecord): KeyBrief => ({
  keyId: k.id,
  start: k.start,
  name: k.name,
  ownerId: k.ownerId,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  expiresAt: k.expiresAt,
});

/** A keyspace's live keys (not revoked or deleted), a page at a time. */
export async function* liveKeyPages(store: Pick<KeyInventoryRepos, 'listLiveKeys'>, keyspaceId: string): AsyncGenerator<KeyRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.listLiveKeys(keyspaceId, after, 500);
    if (page.length > 0) yield page;
    if (page.length < 500) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The hygiene report (docs/monitoring.md, "Hygiene"): a keyspace's keys never used, unused,
 * expiring soon, without expiry, and holding scopes no verification needed lately.
 */
export class HygieneReports {
  constructor(
    private readonly deps: {
      store: Pick<KeyInventoryRepos, 'listLiveKeys'> &
        Pick<UsageRepos, 'listScopeUsage'> &
        Pick<Repos, 'getKeyspace'> &
        Pick<HoneytokenRepos, 'listHoneytokenIds'>;
      clock: Clock;
    },
  ) {}

  async report(actor: Actor, q: HygieneQuery): Promise<HygieneReport> {
    const { store, clock } = this.deps;
    const ks = await store.getKeyspace(q.keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    const now = clock.now();
    const report: HygieneReport = {
      keyspaceId: ks.id,
      generatedAt: now,
      liveKeys: 0,
      neverUsed: [],
      unused: [],
      expiringSoon: [],
      noExpiry: [],
      overPrivileged: [],
    };
    // A decoy is meant to lie unused and to look like any key: nothing here is advice about it.
    const decoys = new Set(await store.listHoneytokenIds());
    for await (const page of liveKeyPages(store, ks.id)) {
      const live = page.filter((k) => (k.expiresAt === null || k.expiresAt > now) && !decoys.has(k.id));
      report.liveKeys += live.length;
      const uses = await store.listScopeUsage(
        live.map((k) => k.id),
        now - q.privilegeDays * DAY,
      );
      const exercised = new Map<string, string[]>();
      for (const u of uses) exercised.set(u.keyId, [...(exercised.get(u.keyId) ?? []), u.scope]);
      for (const k of live) {
        if (k.lastUsedAt === null) report.neverUsed.push(brief(k));
        else if (now - k.lastUsedAt >= q.unusedDays * DAY) report.unused.push(brief(k));
        if (k.expiresAt === null) report.noExpiry.push(brief(k));
        else if (k.expiresAt - now <= q.expiringDays * DAY) report.expiringSoon.push(brief(k));
        const used = exercised.get(k.id);
        if (used === undefined || k.scopes.length === 0) continue; // no scope was ever asked of it: nothing to judge by
        const s = suggestScopes(k.scopes, used);
        if (s.unused.length > 0 || s.narrowed.length > 0)
          report.overPrivileged.push({
            ...brief(k),
            granted: k.scopes,
            exercised: [...used].sort(),
            unused: s.unused,
            suggested: s.suggested,
          });
      }
    }
    return report;
  }
}
