import type { UsageEvent } from '../usage/usage-event.js';
import { finding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { minuteUtc } from './key-profile.js';

/** Any use of a revoked, expired or deleted key: someone still holds it. */
export class DeadKeyDetector implements Detector {
  readonly name = 'dead-key';
  readonly kinds = ['revoked_key_used', 'expired_key_used', 'deleted_key_used'] as const;

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    if (e.keyId === null) return undefined;
    const state = e.deleted ? 'deleted' : e.outcome === 'REVOKED' ? 'revoked' : e.outcome === 'EXPIRED' ? 'expired' : undefined;
    if (state === undefined) return undefined;
    const kind = `${state}_key_used` as const;
    const fingerprint = `${kind}|${e.keyId}`;
    // A leaked key keeps being tried: once its finding is open, each further use is only counted.
    if (ctx.repeatIfOpen?.(fingerprint, e.ts) === true) return undefined;
    return finding(e, ctx, {
      kind,
      severity: state === 'expired' ? 'medium' : 'high',
      subject: e.keyId,
      explanation: `${state[0]!.toUpperCase()}${state.slice(1)} key ${e.keyId} was presented from ${e.ip ?? 'an unknown address'} at ${minuteUtc(e.ts)}: whoever sent it still holds the key.`,
      details: { state },
      fingerprint,
    });
  }
}
