import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AuditPinFile, CheckpointFileSink } from '@tessera/core';
import { kyselyPorts } from '@tessera/store';
import {
  auditCheckpointFilePath,
  auditPinPath,
  createApp,
  createServices,
  initInstance,
  isInitialised,
  loadConfig,
  openInstance,
  type Config,
  type Services,
} from '@tessera/server';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { TEST_DATABASE_URL, type Dialect } from '../../support/databases.js';

/** A data directory (and for PostgreSQL a schema) that survives restarts of the instance. */
export interface InstanceHome {
  dialect: Dialect;
  dataDir: string;
  schema?: string;
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function createInstanceHome(dialect: Dialect, env: Record<string, string> = {}): Promise<InstanceHome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-instance-'));
  const home: InstanceHome = {
    dialect,
    dataDir,
    env: { TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'info', ...env },
    remove: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
  if (dialect === 'postgres') {
    const schema = `tessera_k_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    home.schema = schema;
    Object.assign(home.env, { TESSERA_DATABASE_URL: TEST_DATABASE_URL, TESSERA_DATABASE_SCHEMA: schema });
    home.remove = async () => {
      const d = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await d.connect();
      await d.query(`drop schema if exists ${schema} cascade`);
      await d.end();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  return home;
}

export interface RunningInstance {
  url: string;
  config: Config;
  services: Services;
  app: FastifyInstance;
  logs: string[];
  api(
    method: string,
    path: string,
    body?: unknown,
    bearer?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** `tessera init` (first time) then the same wiring as `tessera serve`, in this process. */
export async function startInstance(
  home: InstanceHome,
  rootKey?: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningInstance & { rootKey: string }> {
  const config = loadConfig({ ...home.env, ...extraEnv });
  let key = rootKey;
  if (!isInitialised(config)) key = (await initInstance(config)).rootKey;
  const { store, keyring } = await openInstance(config);
  const checkpointFile = auditCheckpointFilePath(config);
  const services = createServices({
    ports: kyselyPorts(store),
    keyring,
    usageFlushMs: 50,
    auditCheckpoints: { everyEntries: 5, everyMs: 60_000 },
    auditCheckpointing: {
      pin: new AuditPinFile(auditPinPath(config)),
      file: checkpointFile === undefined ? undefined : new CheckpointFileSink(checkpointFile),
    },
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = await createApp({ config, services, logStream });
  await services.lifecycle.start(['usage']);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    config,
    services,
    app,
    logs,
    rootKey: key!,
    async api(method, path, body, bearer, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${bearer ?? key}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      await app.close();
      await store.close();
      await keyring.close();
    },
  };
}
