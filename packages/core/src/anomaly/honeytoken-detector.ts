import type { UsageEvent } from '../usage/usage-event.js';
import { finding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { minuteUtc } from './key-profile.js';

/** Honeytokens are decoy keys nobody should ever present: any use is critical. */
export class HoneytokenDetector implements Detector {
  readonly name = 'honeytoken';
  readonly kinds = ['honeytoken_used'] as const;

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    if (e.keyId === null || !ctx.honeytokens.has(e.keyId)) return undefined;
    return finding(e, ctx, {
      kind: 'honeytoken_used',
      severity: 'critical',
      subject: e.keyId,
      explanation: `Honeytoken ${e.keyId} was presented from ${e.ip ?? 'an unknown address'} at ${minuteUtc(e.ts)} (answer ${e.outcome}): it was planted as a decoy, so whoever holds it found it where it was hidden.`,
      details: { outcome: e.outcome },
      fingerprint: `honeytoken_used|${e.keyId}|${e.ip}`,
    });
  }
}
