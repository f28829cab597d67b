import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyring } from '@tessera/core';
import { createApp, createServices, loadConfig, type Services } from '@tessera/server';
import { KyselyStore, kyselyPorts } from '@tessera/store';
import type { FastifyInstance } from 'fastify';
import { openSharedState, type SharedState } from '../../../apps/server/src/wiring/shared-state.js';
import { scrapeMetric } from './process-node.js';

export interface InProcessNode {
  url: string;
  services: Services;
  shared: SharedState;
  app: FastifyInstance;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; type: string | null }>;
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One Tessera node in this process, wired like `tessera serve` (shared state from the
 * configuration), over its own connections, so a test can cut one node off PostgreSQL or Redis.
 */
export async function startNode(o: {
  databaseUrl: string;
  schema: string;
  redisUrl?: string;
  redisPrefix: string;
  keyring: Keyring;
  rootKey: string;
}): Promise<InProcessNode> {
  const store = KyselyStore.open({ kind: 'postgres', url: o.databaseUrl, schema: o.schema, poolSize: 4 });
  const shared = await openSharedState({
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
    redisFailMode: 'local',
    databaseUrl: o.databaseUrl,
    databaseSchema: o.schema,
  });
  const services = createServices({
    ports: kyselyPorts(store),
    keyring: o.keyring,
    usageFlushMs: 50,
    bus: shared.bus,
    rateLimiter: shared.rateLimiter,
    shared,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-node-'));
  const app = await createApp({ config: loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'silent' }), services });
  await services.lifecycle.start(['usage']);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    services,
    shared,
    app,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${o.rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text), type: res.headers.get('content-type') };
    },
    metric: (name) => scrapeMetric(url, name),
    async close() {
      await app.close();
      await shared.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
