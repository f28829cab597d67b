import {
  AnalyticsService,
  AnomalyEngine,
  AnomalyService,
  AuditFeed,
  DetectionTunings,
  every,
  FleetSync,
  HoneytokenService,
  HygieneReports,
  HygieneSweep,
  KeyService,
  LeakReports,
  PolicyService,
  SuspensionService,
  UsageRecorder,
  WebhookService,
  webhookEmitter,
  type Clock,
  type FleetExchange,
  type GeoLookup,
  type InvalidationBus,
  type Keyring,
  type RetentionPolicy,
  type StorePorts,
  type Ticker,
  type UsageRecorderOptions,
  type WebhookFailureLog,
  type WebhookOptions,
} from '@tessera/core';

export interface MonitoringOptions {
  ports: StorePorts;
  keyring: Keyring;
  clock: Clock;
  bus: InvalidationBus;
  usage?: Partial<UsageRecorderOptions>;
  webhooks?: Partial<WebhookOptions>;
  retention?: RetentionPolicy;
  /** A GeoIP database behind the lookup interface; without one, detection uses networks only. */
  geo?: GeoLookup;
  /** Shared fleet-wide counters (Redis): an attack split over nodes is judged whole, and raised once. */
  fleet?: FleetExchange | undefined;
  /** How often the hygiene sweep and the retention purge run (ms). */
  sweepMs?: number;
  onError?: (err: unknown) => void;
  /** A failed webhook attempt's details, for the server log (the API shows only its class). */
  onWebhookFailure?: (failure: WebhookFailureLog) => void;
}

export type Monitoring = ReturnType<typeof createMonitoring>;

/** Usage events, analytics, anomaly detection, webhooks and hygiene, wired over the monitoring port. */
export function createMonitoring(o: MonitoringOptions) {
  const onError = o.onError ?? (() => {});
  const { keyring, clock, bus } = o;
  const store = o.ports.monitoring;
  const recorder = new UsageRecorder({ store, keyring, clock }, o.usage, onError);
  // Each keyspace's detection tuning (its policy), read by the detectors on every event.
  const tunings = new DetectionTunings(store);
  const engine = new AnomalyEngine({ geo: o.geo, deferAggregates: o.fleet !== undefined, tuning: tunings.get });
  const fleet = o.fleet === undefined || engine.fleet === undefined ? undefined : new FleetSync(o.fleet, engine);
  // The key service holds no state of its own: this one shares the store, keyring and bus.
  const keys = new KeyService({ store: o.ports.store, keyring, clock, bus });
  const policies = new PolicyService({ store, clock, bus });
  bus.subscribe((m) => {
    if (m.kind !== 'keyspace_policy' && m.kind !== 'all') return;
    policies.forget(m.kind === 'all' ? undefined : m.id);
    void (m.kind === 'all' ? tunings.load() : tunings.refresh(m.id)).catch(onError);
  });
  const suspensions = new SuspensionService({ store, clock, bus });
  const honeytokens = new HoneytokenService({ store, clock, keys, engine });
  const anomalies = new AnomalyService({ store, clock, bus, engine, policies, suspensions, honeytokens, fleet, onError });
  const leaks = new LeakReports({ store, keyring, clock, keys, anomalies });
  recorder.onBatch((events) => anomalies.handleBatch(events));
  const webhooks = new WebhookService({ store, keyring, clock, onFailure: o.onWebhookFailure }, o.webhooks, onError);
  const { deliverer } = webhooks;
  const emit = webhookEmitter(clock);
  const feed = new AuditFeed(store, emit, 1000, onError);
  const hygiene = new HygieneReports({ store, clock });
  const sweep = new HygieneSweep({ store, clock, bus, emit });
  const analytics = new AnalyticsService({ store, clock }, o.retention);
  let maintenance: Ticker | undefined;
  return {
    store,
    recorder,
    engine,
    anomalies,
    suspensions,
    policies,
    tunings,
    honeytokens,
    leaks,
    webhooks,
    feed,
    hygiene,
    sweep,
    analytics,
    /** Starts the timers: usage writes, webhook deliveries, the audit feed, hygiene and retention. */
    start(): void {
      recorder.start();
      deliverer.start();
      feed.start();
      maintenance ??= every(o.sweepMs ?? 3_600_000, () =>
        Promise.all([
          sweep.sweep().catch(onError),
          analytics.purge().catch(onError),
          store.purgeDeliveries(clock.now() - 30 * 86_400_000).catch(onError),
        ]),
      );
      void honeytokens.load().catch(onError);
      void tunings.load().catch(onError);
      void anomalies.warmUp().catch(onError);
    },
    async stop(): Promise<void> {
      await maintenance?.stop();
      maintenance = undefined;
      await recorder.stop();
      await feed.stop();
      await deliverer.stop();
      await sweep.settled();
    },
    /** Runs every step once, now: write usage (and detect), follow the audit log, send due webhooks. */
    async settle(): Promise<void> {
      await recorder.flush();
      await feed.runDue();
      await deliverer.runDue();
    },
  };
}
