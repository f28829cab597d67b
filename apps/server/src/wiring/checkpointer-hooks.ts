import {
  DEFAULT_WORKSPACE_ID,
  type AuditCheckpointRecord,
  type AuditPin,
  type CheckpointerHooks,
  type CheckpointFileSink,
  type CheckpointRefusal,
  type Clock,
} from '@tessera/core';
import type { Monitoring } from './monitoring-services.js';

export interface CheckpointerWiring {
  pin?: AuditPin | undefined;
  /** The append-only copy of every checkpoint (default: a file in the data folder). */
  file?: CheckpointFileSink | undefined;
  /** The server's error log line for a refusal (the anomaly and the metric are written here). */
  onAlarm?: ((r: CheckpointRefusal) => void) | undefined;
  onNotice?: ((message: string) => void) | undefined;
}

/** The checkpointer's hooks, and the count of refusals that `/metrics` reports. */
export interface CheckpointAlarms extends CheckpointerHooks {
  readonly refusals: { count: number };
}

/**
 * What happens around a checkpoint: each one is copied outside the database (the append-only file,
 * and an `audit.checkpoint` webhook event to the instance's default workspace); a refusal raises
 * an `audit_tampered` anomaly (with its `anomaly.detected` audit entry and webhook event), an
 * error log line and the refusal metric.
 */
export function checkpointerHooks(w: CheckpointerWiring, monitoring: Monitoring, clock: Clock): CheckpointAlarms {
  const refusals = { count: 0 };
  return {
    refusals,
    pin: w.pin,
    onNotice: w.onNotice,
    async onCheckpoint(c: AuditCheckpointRecord, kid: string) {
      w.file?.append(c, kid);
      const data = { seq: c.seq, hash: c.hash, ts: new Date(c.ts).toISOString(), keyVersion: c.keyVersion, kid, signature: c.signature };
      await monitoring.webhooks.emit(monitoring.store, DEFAULT_WORKSPACE_ID, 'audit.checkpoint', data);
    },
    async onRefusal(r: CheckpointRefusal) {
      refusals.count++;
      w.onAlarm?.(r);
      const now = clock.now();
      await monitoring.anomalies.record({
        kind: 'audit_tampered',
        severity: 'critical',
        workspaceId: DEFAULT_WORKSPACE_ID,
        keyId: null,
        keyspaceId: null,
        subject: 'audit_log',
        explanation: `The audit checkpointer refused to sign the chain's head (entry ${r.headSeq}): ${r.reason}.`,
        details: { reason: r.reason, pinnedSeq: r.pinnedSeq, headSeq: r.headSeq },
        firstEventAt: now,
        detectedAt: now,
        fingerprint: `audit_tampered:${r.pinnedSeq}`,
      });
    },
  };
}
