import { VERIFY_CODES } from '@tessera/api';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FixedHistogram } from './fixed-histogram.js';
import type { Services } from '../wiring/services.js';

/** Prometheus metrics, all prefixed `tessera_`. Counters kept by the domain are read at scrape time. */
export function createMetrics(services: Services) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  services.timings.register(registry);
  // The verify path only adds to plain numbers; prom-client reads them at scrape time.
  const byCode = new Map<string, number>(VERIFY_CODES.map((code) => [code, 0]));
  new Counter({
    name: 'tessera_verifications_total',
    help: 'Key verifications over HTTP, by code.',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of byCode) this.labels({ code }).inc(n);
    },
  });
  const latency = new FixedHistogram(
    'tessera_verify_duration_seconds',
    'Time to answer a verification, inside the server.',
    [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1],
    registry,
  );
  const cache = services.verifier.cache;
  new Gauge({
    name: 'tessera_key_cache_hit_ratio',
    help: 'Share of verifications answered from the in-memory key cache (positive or negative).',
    registers: [registry],
    collect() {
      const total = cache.hits + cache.misses;
      this.set(total === 0 ? 0 : cache.hits / total);
    },
  });
  new Gauge({
    name: 'tessera_key_cache_entries',
    help: 'Key records in the verify cache.',
    registers: [registry],
    collect() {
      this.set(cache.size);
    },
  });
  new Counter({
    name: 'tessera_key_cache_hits_total',
    help: 'Verify cache hits.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.hits);
    },
  });
  new Counter({
    name: 'tessera_key_cache_misses_total',
    help: 'Verify cache misses.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.misses);
    },
  });
  const alarms = services.checkpointAlarms;
  new Counter({
    name: 'tessera_audit_checkpoint_refusals_total',
    help: 'Times the audit checkpointer refused to sign because the chain no longer holds the last checkpoint it signed (tampering).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(alarms.refusals.count);
    },
  });
  const usageStats = services.monitoring.recorder.stats;
  new Counter({
    name: 'tessera_usage_events_total',
    help: 'Usage events by what became of them: recorded (taken into a batch), dropped (the batch was full), stored (written), lost (a write failed). WARNING when dropped or lost rise: analytics and detection miss those verifications.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const result of ['recorded', 'dropped', 'stored', 'lost'] as const) this.labels({ result }).inc(usageStats[result]);
    },
  });
  const shared = services.shared;
  if (shared !== undefined) {
    new Gauge({
      name: 'tessera_shared_state_up',
      help: `Whether the state shared with other nodes (${shared.kind}) answers.`,
      registers: [registry],
      collect() {
        this.set(shared.up ? 1 : 0);
      },
    });
    new Counter({
      name: 'tessera_ratelimit_fallback_total',
      help: 'WARNING when rising: rate-limit decisions taken on this node alone because Redis did not answer.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(shared.fallbacks);
      },
    });
    new Counter({
      name: 'tessera_bus_resyncs_total',
      help: 'Reconnections of the invalidation bus; each dropped the key caches.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(shared.resyncs);
      },
    });
    new Counter({
      name: 'tessera_bus_ack_timeouts_total',
      help: 'Invalidations that a live peer did not confirm within the wait (the change was answered anyway).',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(shared.ackTimeouts);
      },
    });
    new Counter({
      name: 'tessera_bus_publish_failures_total',
      help: 'Invalidations that could not be sent at once (kept and sent on reconnect).',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(shared.publishFailures);
      },
    });
  }
  return {
    registry,
    observeVerify(code: string, seconds: number): void {
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
      latency.observe(seconds);
    },
  };
}
