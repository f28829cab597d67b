import { maskKey, parseKey } from '@tessera/api';
import type { KeyService } from '../api-keys/key-service.js';
import { workspaceOf } from '../audit/actor-workspace.js';
import type { Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { AnomalyService } from './anomaly-service.js';

export type LeakOutcome = {
  start: string;
  status: 'quarantined' | 'revoked' | 'already_revoked' | 'unknown' | 'invalid';
  keyId?: string;
  anomalyId?: string;
};

/**
 * Keys reported as leaked (by `tessera scan --revoke`, a secret-scanning partner, a person):
 * each known live key is quarantined (suspended, undoable) or revoked, with a critical
 * `key_leaked` anomaly. Answers with masked keys only.
 */
export class LeakReports {
  constructor(
    private readonly deps: {
      store: Pick<Repos, 'findKeyByHash'>;
      keyring: Keyring;
      clock: Clock;
      keys: KeyService;
      anomalies: AnomalyService;
    },
  ) {}

  async report(actor: Actor, keys: readonly string[], o: { source: string; action: 'quarantine' | 'revoke' }): Promise<LeakOutcome[]> {
    const out: LeakOutcome[] = [];
    const workspaceId = workspaceOf(actor);
    for (const presented of keys) {
      if (parseKey(presented) === undefined) {
        out.push({ start: '-', status: 'invalid' }); // never echo what is not a key
        continue;
      }
      const start = maskKey(presented);
      const key = await this.find(presented);
      if (key === undefined || key.workspaceId !== workspaceId || key.deletedAt !== null) {
        out.push({ start, status: 'unknown' });
        continue;
      }
      if (key.revokedAt !== null) {
        out.push({ start, status: 'already_revoked', keyId: key.id });
        continue;
      }
      const now = this.deps.clock.now();
      const anomaly = await this.deps.anomalies.record(
        {
          kind: 'key_leaked',
          severity: 'critical',
          workspaceId,
          keyId: key.id,
          keyspaceId: key.keyspaceId,
          subject: key.id,
          explanation: `Key ${key.id} (${start}) was reported leaked by ${o.source}; it was ${o.action === 'revoke' ? 'revoked' : 'quarantined (suspended until someone undoes it)'}.`,
          details: { source: o.source, action: o.action },
          firstEventAt: now,
          detectedAt: now,
          fingerprint: `key_leaked|${key.id}|${now}`,
        },
        o.action === 'quarantine' ? 'suspend' : undefined,
      );
      if (o.action === 'revoke') await this.deps.keys.revokeKey(actor, key.id, `leaked: ${o.source}`.slice(0, 512));
      out.push({ start, status: o.action === 'revoke' ? 'revoked' : 'quarantined', keyId: key.id, anomalyId: anomaly.id });
    }
    return out;
  }

  /** The key presented, under any pepper version still in use. */
  private async find(presented: string): Promise<KeyRecord | undefined> {
    const { keyring, store } = this.deps;
    for (const v of keyring.pepperVersions) {
      const key = await store.findKeyByHash(keyring.hash('api_key', presented, v));
      if (key !== undefined) return key;
    }
    return undefined;
  }
}
