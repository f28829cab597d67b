import { Writable } from 'node:stream';
import { join } from 'node:path';
import {
  AuditPinFile,
  CheckpointFileSink,
  MemoryKeyring,
  RootKeyService,
  LocalInvalidationBus,
  systemClock,
  type Clock,
  type InvalidationBus,
} from '@tessera/core';
import { createApp, createServices, loadConfig, signingKeyPolicy, webhookTargetPolicy, type Services } from '@tessera/server';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, joinTestDatabase, type Dialect, type TestDatabase } from './databases.js';

export interface TestServer {
  url: string;
  rootKey: string;
  db: TestDatabase;
  services: Services;
  app: FastifyInstance;
  /** Every log line the server wrote. */
  logs: string[];
  /** Calls the API with the root key (or another bearer); parses JSON answers. */
  api(
    method: string,
    path: string,
    body?: unknown,
    bearer?: string | null,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Settings for tests whose webhook receivers listen on loopback over plain HTTP (refused by default). */
export const LOOPBACK_WEBHOOKS = { TESSERA_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8,::1', TESSERA_WEBHOOKS_ALLOW_HTTP: 'true' } as const;

/** A real Tessera on loopback over a real database, with the same wiring as `tessera serve`. */
export async function startTestServer(
  dialect: Dialect = 'sqlite',
  opts: {
    clock?: Clock;
    env?: NodeJS.ProcessEnv;
    /** Another node of the same cluster: this server shares that one's database, keyring and root key. */
    join?: TestServer;
    /** The invalidation bus (default: one in-process bus per server); a test of several nodes passes a shared one. */
    bus?: InvalidationBus;
    /** The port to listen on (default: any free one). */
    port?: number;
  } = {},
): Promise<TestServer> {
  const db = opts.join === undefined ? await createTestDatabase(dialect) : await joinTestDatabase(opts.join.db);
  const keyring = opts.join?.services.keyring ?? MemoryKeyring.generate();
  const clock = opts.clock ?? systemClock;
  // Every test connects from loopback: the failed-authentication throttle gets a limit no suite
  // reaches, unless a test sets its own (test/api/admin-auth-failures.test.ts).
  const config = loadConfig({
    TESSERA_DATA_DIR: db.dataDir,
    TESSERA_LOG_LEVEL: 'info',
    TESSERA_ADMIN_AUTH_FAILURE_LIMIT: '1000000',
    ...opts.env,
  });
  // The audit pin and the checkpoint copy sit in the data folder, as `tessera serve` keeps them.
  const late: { app?: FastifyInstance } = {};
  const services = createServices({
    ports: db.ports,
    ...(opts.bus !== undefined && { bus: opts.bus }),
    keyring,
    clock,
    usageFlushMs: 50,
    analyticsWriteMs: 50,
    oauthSigningKeys: signingKeyPolicy(config),
    onTaskError: (err, task) => late.app?.log.error({ err: { message: (err as Error).message } }, `${task} failed`),
    // As `tessera serve` wires them: the configured webhook targets, failures in the server log.
    monitoring: {
      webhooks: webhookTargetPolicy(config),
      onWebhookFailure: (failure) => late.app?.log.warn({ webhook: failure }, 'webhook delivery failed'),
    },
    databases: {
      onRevocationFailure: (failure) => late.app?.log.warn({ lease: failure }, 'database lease revocation failed; it will be retried'),
    },
    auditCheckpointing: {
      pin: new AuditPinFile(join(db.dataDir, 'audit-pin.json')),
      file: new CheckpointFileSink(join(db.dataDir, 'audit-checkpoints.jsonl')),
      onAlarm: (r) => late.app?.log.error({ audit: r }, 'AUDIT TAMPERING: the checkpointer refuses to sign the audit chain'),
      onNotice: (message) => late.app?.log.warn(message),
    },
  });
  const rootKey =
    opts.join?.rootKey ?? (await new RootKeyService({ store: db.store, keyring, clock, bus: new LocalInvalidationBus() }).bootstrap()).key;
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = (late.app = await createApp({ config, services, logStream }));
  await services.lifecycle.start(['usage']);
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    rootKey,
    db,
    services,
    app,
    logs,
    async api(method, path, body, bearer, headers = {}) {
      const token = bearer === undefined ? rootKey : bearer;
      const res = await fetch(url + path, {
        method,
        headers: {
          ...(token !== null && { authorization: `Bearer ${token}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
