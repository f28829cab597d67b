import type { KeyService } from '../api-keys/key-service.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { KeyRecord } from '../store/records.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { AnomalyEngine } from './anomaly-engine.js';
import type { HoneytokenRepos } from './honeytoken-repos.js';

/** Honeytokens: decoy keys, ordinary-looking, whose every use is a critical anomaly. */
export class HoneytokenService {
  private loadedAt = -Infinity;

  constructor(
    private readonly deps: {
      store: HoneytokenRepos & Transactional<HoneytokenRepos>;
      clock: Clock;
      keys: KeyService;
      engine: AnomalyEngine;
    },
  ) {}

  async create(
    actor: Actor,
    input: {
      keyspaceId: string;
      name?: string | null | undefined;
      ownerId?: string | null | undefined;
      scopes?: string[] | undefined;
      meta?: Record<string, unknown> | null | undefined;
    },
  ): Promise<{ record: KeyRecord; key: string }> {
    const { clock, store, keys, engine } = this.deps;
    const created = await keys.createKey(actor, input);
    await store.transaction(async (tx) => {
      await tx.insertHoneytoken({ keyId: created.record.id, workspaceId: created.record.workspaceId, createdAt: clock.now() });
      await appendAudit(tx, clock, actor, {
        action: 'honeytoken.created',
        target: created.record.id,
        details: { keyspaceId: input.keyspaceId },
      });
    });
    engine.honeytokens.add(created.record.id);
    return created;
  }

  /** Loads the decoy keys into the detectors (every node does, and again once a minute: see `refresh`). */
  async load(): Promise<void> {
    for (const id of await this.deps.store.listHoneytokenIds()) this.deps.engine.honeytokens.add(id);
    this.loadedAt = this.deps.clock.now();
  }

  /** Which of these keys are decoys, read from the store (not the detectors' copy, which lags by up to a minute). */
  async decoysAmong(keyIds: readonly string[]): Promise<Set<string>> {
    if (keyIds.length === 0) return new Set();
    const wanted = new Set(keyIds);
    return new Set((await this.deps.store.listHoneytokenIds()).filter((id) => wanted.has(id)));
  }

  /** Reloads the decoy keys when the last load is over a minute old: other nodes' decoys arrive within it. */
  async refresh(): Promise<void> {
    if (this.deps.clock.now() - this.loadedAt > 60_000) await this.load();
  }
}
