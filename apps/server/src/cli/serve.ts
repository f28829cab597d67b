import { AuditPinFile, AuditStream, CheckpointFileSink, every, Lifecycle, type Ticker } from '@tessera/core';
import { kyselyPorts } from '@tessera/store';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../app.js';
import { consolePolicy, isLoopback, signingKeyPolicy, trustProxyWarning, webhookTargetPolicy, type Config } from '../config.js';
import { ChangeTimings } from '../http/change-timings.js';
import { metricsAccess } from '../http/metrics-access.js';
import {
  auditCheckpointFilePath,
  auditPinPath,
  initInstance,
  isInitialised,
  migrationReport,
  openInstance,
  PLAIN_PEPPER_NOTICE,
} from '../wiring/instance.js';
import { openSharedState } from '../wiring/shared-state.js';
import { SyslogSink } from '../adapters/audit-sink/syslog-sink.js';
import { parseSyslogTarget } from '../audit/syslog-target.js';
import { openMmdbGeoLookup } from '../adapters/geoip/mmdb-geo-lookup.js';
import { createServices } from '../wiring/services.js';
import type { CommandContext } from './context.js';
import { deliverFirstRootKey, firstRootKeyNotice } from './first-root-key.js';

/** `tessera serve`: runs until a signal stops it. */
export async function serveCommand(_sub: string | undefined, ctx: CommandContext): Promise<number> {
  await serve(ctx.config());
  return -1; // keep running
}

/**
 * Starts a node: initialises on first start (printing the first root key once on a terminal,
 * otherwise writing it to a 0600 file in the data dir), refuses plain HTTP off loopback unless
 * told, and shuts down gracefully on SIGINT/SIGTERM.
 */
export async function serve(
  config: Config,
  print: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  interactive: boolean = process.stdout.isTTY === true,
): Promise<FastifyInstance> {
  const tls = config.tlsCert !== undefined;
  if (!tls && !isLoopback(config.host) && !config.insecureHttp) {
    throw new Error(
      `Refusing to serve plain HTTP on ${config.host}: keys would travel in the clear. ` +
        'Set TESSERA_TLS_CERT and TESSERA_TLS_KEY, or run behind a TLS-terminating proxy with --insecure-http (and TESSERA_TRUST_PROXY).',
    );
  }
  if (!isLoopback(config.host) && config.consoleOrigin === undefined) {
    throw new Error(
      `Refusing to serve on ${config.host} without TESSERA_CONSOLE_ORIGIN: console passkeys would be bound to whatever Host header a request brings. ` +
        'Set it to the origin users open the console at (https://host[:port]).',
    );
  }
  let rootKeyFile: string | undefined;
  if (!isInitialised(config)) {
    const { rootKey } = await initInstance(config);
    rootKeyFile = deliverFirstRootKey(config, rootKey, { interactive, print });
  }
  // Loaded only when asked for: a node without tracing does not load the OpenTelemetry SDK.
  const tracing =
    config.otlpTraces === undefined
      ? undefined
      : new (await import('../observability/tracing.js')).Tracing({
          endpoint: config.otlpTraces,
          sampleRatio: config.otlpTracesSampleRatio,
        });
  const { store, keyring, migrations } = await openInstance(config, tracing?.onQuery);
  tracing?.database(store.dialect);
  const timings = new ChangeTimings();
  const shared = await openSharedState(config, undefined, timings.busEvents, tracing && ((client) => tracing.instrumentRedis(client)));
  const logError = (message: string) => (err: unknown) => app.log.error({ err: { message: (err as Error).message } }, message);
  // Closed after every service has stopped: the store and keyring last, as the services write to them.
  const lifecycle = new Lifecycle()
    .add('traces', { stop: () => tracing?.shutdown() })
    .add('keyring', { stop: () => keyring.close() })
    .add('store', { stop: () => store.close() })
    .add('shared', { stop: () => shared.close() });
  const services = createServices({
    lifecycle,
    onTaskError: (err, task) => logError(`${task} failed`)(err),
    timings,
    ports: kyselyPorts(store),
    keyring,
    keyCacheSize: config.keyCacheSize,
    usageFlushMs: config.usageFlushMs,
    analyticsWriteMs: config.analyticsWriteMs,
    bus: shared.bus,
    rateLimiter: shared.rateLimiter,
    shared,
    auditCheckpoints: { everyEntries: config.auditCheckpointEntries, everyMs: config.auditCheckpointSeconds * 1000 },
    secretDueWindowMs: config.secretRotationDueDays * 86_400_000,
    oauthSigningKeys: signingKeyPolicy(config),
    console: consolePolicy(config),
    auditCheckpointing: {
      pin: new AuditPinFile(auditPinPath(config)),
      file: auditCheckpointFilePath(config) === undefined ? undefined : new CheckpointFileSink(auditCheckpointFilePath(config)!),
      onAlarm: (r) => app.log.error({ audit: r }, 'AUDIT TAMPERING: the checkpointer refuses to sign the audit chain'),
      onNotice: (message) => app.log.warn(message),
    },
    onCheckpointError: logError('audit checkpoint failed'),
    monitoring: {
      onError: logError('monitoring failed'),
      // Read once at start; a database that cannot be read stops the start with its reason.
      geo: config.geoipDatabase === undefined ? undefined : openMmdbGeoLookup(config.geoipDatabase),
      webhooks: webhookTargetPolicy(config),
      onWebhookFailure: (failure) => app.log.warn({ webhook: failure }, 'webhook delivery failed'),
    },
    databases: {
      onRevocationFailure: (failure) => app.log.warn({ lease: failure }, 'database lease revocation failed; it will be retried'),
    },
  });
  const app = await createApp({ config, services, tracing });
  shared.log = app.log;
  if (config.auditSyslog !== undefined) {
    const sink = new SyslogSink(parseSyslogTarget(config.auditSyslog), { caFile: config.auditSyslogCa });
    const stream = new AuditStream(services.monitoring.store, sink, {
      onError: logError(`audit stream (${sink.name}) failed; it is retried`),
      onGap: (gap) =>
        app.log.error({ gap }, `audit entries were not streamed: export them with tessera audit export --from ${gap.fromSeq}`),
    });
    lifecycle.add('audit stream', stream);
  }
  app.log.info({ migrations }, migrationReport(migrations));
  if (rootKeyFile !== undefined) app.log.warn({ rootKeyFile }, firstRootKeyNotice(rootKeyFile));
  if (keyring.pepperInput() === 'plain') {
    app.log.warn({ pepperVersion: keyring.currentPepperVersion }, PLAIN_PEPPER_NOTICE);
  }
  // Pepper versions and data keys made by `tessera keyring rotate` (another process) are picked up here.
  let keyringRefresh: Ticker | undefined;
  lifecycle.add('keyring refresh', {
    start: () => (keyringRefresh ??= every(30_000, () => keyring.refresh(), logError('keyring refresh failed'))),
    stop: () => keyringRefresh?.stop(),
  });
  await lifecycle.start();
  const proxyWarning = trustProxyWarning(config.trustProxy);
  if (proxyWarning !== undefined) app.log.warn(proxyWarning);
  if (metricsAccess(config) === 'refused') {
    app.log.warn(
      `/metrics is not served on ${config.host}, an address others can reach: set TESSERA_METRICS_TOKEN (a bearer token) or TESSERA_METRICS_LISTEN (a listener of its own)`,
    );
  }
  if (config.metricsListen !== undefined) app.log.info(`metrics served on http://${config.metricsListen}/metrics`);
  if (!tls && !isLoopback(config.host)) {
    app.log.warn('INSECURE: serving plain HTTP on a non-loopback address; tokens travel in the clear unless a TLS proxy sits in front');
  }
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  app.log.info(
    { store: store.dialect, shared: shared.kind, dataDir: config.dataDir, threadPool: process.env.UV_THREADPOOL_SIZE ?? '4' },
    `Tessera listening on ${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests and flushing usage');
    setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting without waiting further');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return app;
}
