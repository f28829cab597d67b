import {
  type EnvelopeKeyring,
  AuditCheckpointer,
  ConsoleAccounts,
  VerifyTimeline,
  type ConsolePolicy,
  type SignInFailures,
  IdempotencyService,
  PepperRehasher,
  KeyRecovery,
  VaultService,
  type CheckpointPolicy,
  KeyService,
  KeyVerifier,
  every,
  GatewayRouteService,
  Lifecycle,
  LocalInvalidationBus,
  MemoryRateLimiter,
  RootKeyService,
  revocationOf,
  WorkspaceService,
  Rollovers,
  systemClock,
  UsageBatcher,
  type Clock,
  type InvalidationBus,
  type SigningKeyPolicy,
  type Keyring,
  type RateLimiter,
  type StorePorts,
  type Ticker,
} from '@tessera/core';
import type { AnomalyDraft } from '@tessera/core';
import { createOAuthServices } from './oauth-services.js';
import type { SharedState } from './shared-state.js';
import { createMonitoring, type MonitoringOptions } from './monitoring-services.js';
import { checkpointerHooks, type CheckpointerWiring } from './checkpointer-hooks.js';
import { ChangeTimings } from '../http/change-timings.js';
import { createDatabaseServices, type DatabaseServiceOptions } from './database-services.js';
import { createPortalServices } from './portal-services.js';
import { createSecretRotationServices, type SecretRotationOptions } from './secret-rotation-services.js';

export interface ServiceOptions {
  /** Every storage port, from one adapter (`kyselyPorts(store)` for SQLite and PostgreSQL). */
  ports: StorePorts;
  keyring: Keyring;
  clock?: Clock;
  bus?: InvalidationBus;
  rateLimiter?: RateLimiter;
  keyCacheSize?: number;
  usageFlushMs?: number;
  /** How often usage events and roll-ups are written for analytics (default 5 s); detection reads each batch at `usageFlushMs`. */
  analyticsWriteMs?: number;
  onUsageError?: (err: unknown) => void;
  /** When signed audit checkpoints are written (default: every 1000 entries or 60 s). */
  auditCheckpoints?: CheckpointPolicy;
  onCheckpointError?: (err: unknown) => void;
  /** The pin, the copies outside the database and the alarm of the audit checkpointer (see checkpointer-hooks.ts). */
  auditCheckpointing?: CheckpointerWiring;
  /** A secret is `due` this long before its `rotateBy` date (default 7 days). */
  secretDueWindowMs?: number;
  /** How often OAuth signing keys rotate (default: every 30 days). */
  oauthSigningKeys?: SigningKeyPolicy;
  /** The state shared with other nodes (Redis or PostgreSQL), for metrics. */
  shared?: SharedState;
  /** Where changes to keys spend their time (made here when not given; `/metrics` shows it). */
  timings?: ChangeTimings;
  /** Console session timeouts and sign-in lockout (defaults in core's console-policy.ts). */
  console?: Partial<ConsolePolicy>;
  /**
   * Where the background work is started and stopped: the caller's parts (the store, the keyring)
   * come first, so they stop after the services (made here when not given).
   */
  lifecycle?: Lifecycle;
  /** A background task failed (`task` names it: 'console maintenance', 'OAuth maintenance'), for the log. */
  onTaskError?: (err: unknown, task: string) => void;
  /** Usage events, detection, webhooks and hygiene (defaults in their services). */
  monitoring?: Omit<MonitoringOptions, 'ports' | 'keyring' | 'clock' | 'bus'>;
  /** Dynamic database credentials: the target engine, the revoker's timing, where its failures go. */
  databases?: DatabaseServiceOptions;
  /** Rotation of vault secrets: the runner's timing, where its failures go (webhook targets as `monitoring.webhooks` allows). */
  secretRotation?: SecretRotationOptions;
  /** How often predecessors of usage-driven rollovers are checked for retirement (default a minute). */
  rolloverCheckMs?: number;
}

export type Services = ReturnType<typeof createServices>;

/** Wires the domain services together. The only place that picks implementations. */
export function createServices(o: ServiceOptions) {
  const store = o.ports.store;
  const clock = o.clock ?? systemClock;
  const bus = o.bus ?? new LocalInvalidationBus();
  const usage = new UsageBatcher(store, o.usageFlushMs ?? 1000, o.onUsageError);
  const monitoring = createMonitoring({
    onError: o.onUsageError,
    fleet: o.shared?.fleet,
    ...o.monitoring,
    usage: { intervalMs: o.usageFlushMs ?? 1000, storeIntervalMs: o.analyticsWriteMs ?? 5000, ...o.monitoring?.usage },
    ports: o.ports,
    keyring: o.keyring,
    clock,
    bus,
  });
  // The console's per-minute charts read each usage batch: nothing on the verify path.
  const verifyTimeline = new VerifyTimeline(clock);
  monitoring.recorder.onBatch((events) => verifyTimeline.ingest(events));
  // Keys found under an older pepper version are re-hashed under the current one, off the verify path.
  const rehasher = new PepperRehasher(store, o.onUsageError);
  const verifier = new KeyVerifier(
    {
      store,
      keyring: o.keyring,
      clock,
      rateLimiter: o.rateLimiter ?? new MemoryRateLimiter(),
      usage,
      events: monitoring.recorder,
      onStaleHash: (r, h, v) => rehasher.offer(r, h, v),
    },
    { maxEntries: o.keyCacheSize ?? 100_000, maxNegativeEntries: 10_000, negativeTtlMs: 30_000 },
  );
  const deps = { store, keyring: o.keyring, clock, bus };
  const timings = o.timings ?? new ChangeTimings();
  const keys = new KeyService({
    ...deps,
    observeChange: timings.observeChange,
    rotationRules: (keyspaceId) => o.ports.monitoring.getPolicy(keyspaceId),
  });
  const rootKeys = new RootKeyService({ ...deps, usage, onStaleHash: (r, h, v) => rehasher.offerRootKey(r, h, v) });
  const gateway = new GatewayRouteService({ store, clock, bus });
  // A new workspace's data key is made at once, outside a transaction (see EnvelopeKeyring.ensureDataKey).
  const ensureDataKey = (id: string) =>
    'ensureDataKey' in o.keyring ? (o.keyring as EnvelopeKeyring).ensureDataKey(id) : Promise.resolve();
  const workspaces = new WorkspaceService({ store, clock, bus, rootKeys, ensureDataKey });
  bus.subscribe((m) => {
    if (m.kind === 'all') {
      verifier.cache.clear();
      rootKeys.cache.clear();
      gateway.forget();
    } else if (m.kind === 'keyspace') {
      gateway.forget(m.id);
    } else if (m.kind === 'key' || m.kind === 'root_key') {
      const cache = m.kind === 'key' ? verifier.cache : rootKeys.cache;
      const revoked = revocationOf(m);
      if (revoked === undefined || !verifier.applyRevocation(m.id, revoked)) cache.invalidateId(m.id);
      cache.invalidateHash(m.hash);
    }
  });
  const vault = new VaultService({ store, keyring: o.keyring, clock }, o.secretDueWindowMs);
  const recovery = new KeyRecovery({ store, keyring: o.keyring, clock });
  const checkpointAlarms = checkpointerHooks(o.auditCheckpointing ?? {}, monitoring, clock);
  const checkpointer = new AuditCheckpointer(
    { store, keyring: o.keyring, clock },
    o.auditCheckpoints,
    o.onCheckpointError,
    checkpointAlarms,
  );
  const accounts = new ConsoleAccounts(
    {
      store,
      keyring: o.keyring,
      clock,
      onRepeatedFailures: (e) => void monitoring.anomalies.record(signInAnomaly(e)).catch((err: unknown) => o.monitoring?.onError?.(err)),
    },
    o.console,
  );
  const oauth = createOAuthServices({
    store: o.ports.oauth,
    keyring: o.keyring,
    clock,
    verifier,
    passwords: accounts.passwords,
    signInLimits: {
      perNetwork: accounts.policy.maxFailuresPerIp,
      windowMs: accounts.policy.lockoutMs,
      auditBudget: accounts.policy.maxFailureEntries,
    },
    bus,
    signingKeys: o.oauthSigningKeys,
    onError: (err) => o.onTaskError?.(err, 'OAuth maintenance'),
    // Counted at once, judged with the next usage batch (within a second), off the answer's path.
    onClientAuthFailure: (f) => {
      monitoring.anomalies.noteClientAuthFailure(f);
      monitoring.recorder.wake();
    },
  });
  const databases = createDatabaseServices(
    { store, keyring: o.keyring, clock, onError: (err) => o.onTaskError?.(err, 'database lease revocation') },
    o.databases,
  );
  const secretRotation = createSecretRotationServices(
    {
      store,
      keyring: o.keyring,
      clock,
      policy: { allowHttp: o.monitoring?.webhooks?.allowHttp ?? false, allowPrivate: o.monitoring?.webhooks?.allowPrivate ?? false },
      onError: (err) => o.onTaskError?.(err, 'secret rotation'),
    },
    o.secretRotation,
  );
  const rollovers = new Rollovers(
    { store, clock, keys },
    { intervalMs: o.rolloverCheckMs ?? 60_000, onError: (err) => o.onTaskError?.(err, 'key rollovers') },
  );
  // A successor's first use is seen in the usage batches, so a rollover without a quiet period ends at once.
  monitoring.recorder.onBatch((events) => rollovers.noticeUse(events));
  const onPortalError = (err: unknown) => o.onTaskError?.(err, 'portal maintenance');
  const portal = createPortalServices({ store, keyring: o.keyring, clock, keys, analytics: monitoring.analytics, onError: onPortalError });
  const idempotency = new IdempotencyService({ store, keyring: o.keyring, clock }, { onError: o.onUsageError });
  // Started in this order, stopped in the reverse: the last usage is written after everything that records it.
  const lifecycle = (o.lifecycle ?? new Lifecycle())
    .add('usage', usage)
    .add('rehasher', { stop: () => rehasher.stop() })
    .add('monitoring', monitoring)
    .add('checkpointer', checkpointer)
    .add('idempotency', idempotency)
    .add('oauth', oauth)
    .add('database leases', databases.revoker)
    .add('secret rotation', secretRotation.runner)
    .add('key rollovers', rollovers)
    .add('portal', portal.upkeep)
    .add(
      'console',
      consoleUpkeep(accounts, (err) => o.onTaskError?.(err, 'console maintenance')),
    );
  return {
    lifecycle,
    oauth,
    store,
    keyring: o.keyring,
    clock,
    bus,
    usage,
    verifier,
    keys,
    rootKeys,
    workspaces,
    gateway,
    portal,
    shared: o.shared,
    vault,
    recovery,
    checkpointer,
    checkpointAlarms,
    rehasher,
    console: accounts,
    timings,
    verifyTimeline,
    idempotency,
    monitoring,
    databases,
    rollovers,
    secretRotation,
  };
}

/**
 * Ended console sessions are dropped, and failed sign-ins past the audit budget summed, every
 * minute; on stop, the summary is written at once and the password hashing thread ends.
 */
function consoleUpkeep(accounts: ConsoleAccounts, onError: (err: unknown) => void) {
  let upkeep: Ticker | undefined;
  return {
    start(): void {
      upkeep ??= every(60_000, () => accounts.maintain(), onError);
    },
    async stop(): Promise<void> {
      await upkeep?.stop();
      upkeep = undefined;
      await accounts.maintain(true).catch(onError);
      await accounts.close();
    },
  };
}

/** Repeated failed console sign-ins, as an anomaly a security team sees beside the keys' ones. */
function signInAnomaly(e: SignInFailures): AnomalyDraft {
  const minutes = Math.max(1, Math.round((e.at - e.since) / 60_000));
  return {
    kind: 'login_failures',
    severity: 'high',
    workspaceId: e.workspaceId,
    keyId: null,
    keyspaceId: null,
    subject: e.userId ?? e.ip,
    explanation:
      e.userId === null
        ? `${e.failures} failed console sign-ins from ${e.ip} across accounts within ${minutes} minutes; the address is throttled.`
        : `Console account ${e.userId} was locked after ${e.failures} failed sign-ins, the last from ${e.ip}.`,
    details: { userId: e.userId, ip: e.ip, failures: e.failures },
    firstEventAt: e.since,
    detectedAt: e.at,
    fingerprint: `login_failures:${e.userId ?? e.ip}`,
  };
}
