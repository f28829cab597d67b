import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KyselyStore } from '@tessera/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, type Dialect } from '../support/databases.js';
import { crashCycle, newAcked } from './support/crash-cycle.js';
import { buildServer, spawnNode, tessera, withPg } from './support/process-node.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * kill -9 during writes, a few cycles per dialect here; `scripts/soak-crash.sh` runs the same
 * cycles many times (SCALE_SOAK_CYCLES), and with a private PostgreSQL restarted mid-load
 * (SCALE_SOAK_PG_URL + SCALE_SOAK_PG_RESTART).
 */
const CYCLES = Number(process.env.SCALE_SOAK_CYCLES ?? 3);
const DIALECTS = (process.env.SCALE_SOAK_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
const PG_URL = process.env.SCALE_SOAK_PG_URL ?? TEST_DATABASE_URL;
const PG_RESTART = process.env.SCALE_SOAK_PG_RESTART;

beforeAll(() => buildServer());

describe.each(DIALECTS)('crash safety on %s', (dialect) => {
  const schema = `tessera_crash_${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
  let proxy: TcpProxy | undefined;
  let env: Record<string, string>;
  let rootKey: string;
  let keyspaceId: string;
  const openStore = () =>
    dialect === 'sqlite'
      ? KyselyStore.open({ kind: 'sqlite', file: join(dataDir, 'tessera.db') })
      : KyselyStore.open({ kind: 'postgres', url: PG_URL, schema, poolSize: 1 });

  beforeAll(async () => {
    env = { TESSERA_LOG_LEVEL: 'info', TESSERA_USAGE_FLUSH_MS: '100' };
    if (dialect === 'postgres') {
      await withPg(PG_URL, (c) => c.query(`create schema ${schema}`));
      // The node reaches PostgreSQL through a proxy, so a cycle can cut it off mid-load.
      proxy = await TcpProxy.start(PG_URL);
      env = { ...env, TESSERA_DATABASE_URL: proxy.url(PG_URL), TESSERA_DATABASE_SCHEMA: schema };
    }
    const init = await tessera(['init', '--data-dir', dataDir, '--json'], env);
    expect(init.status, init.stderr).toBe(0);
    rootKey = JSON.parse(init.stdout).rootKey;
    const node = await spawnNode(dataDir, env, rootKey);
    keyspaceId = (await node.api('POST', '/v1/keyspaces', { name: 'crash', prefix: 'sk_crash' })).body.id;
    node.proc.kill('SIGTERM');
    await node.exited;
  });

  afterAll(async () => {
    await proxy?.close();
    if (dialect === 'postgres') await withPg(PG_URL, (c) => c.query(`drop schema if exists ${schema} cascade`));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `keeps every acknowledged write through ${CYCLES} kill -9 cycles, with the audit chain intact`,
    async () => {
      const acked = newAcked();
      let writes = 0;
      let failed = 0;
      for (let i = 0; i < CYCLES; i++) {
        const r = await crashCycle({ dataDir, env, rootKey, keyspaceId, acked, openStore });
        writes += r.writes;
        failed += r.failed;
        if (CYCLES > 5 && (i + 1) % 10 === 0)
          console.log(
            `${dialect}: ${i + 1} cycles, ${writes} acknowledged writes, ${r.checkedKeys} keys and ${r.checkedSecrets} secrets checked, ${r.auditEntries} audit entries verified`,
          );
      }
      console.log(
        `${dialect}: ${CYCLES} kill -9 cycles: ${writes} acknowledged writes, ${failed} unacknowledged, ${acked.keys.size} keys and ${acked.secrets.size} secrets all present, audit chain verified`,
      );
      expect(writes).toBeGreaterThan(CYCLES * 5);
      expect(acked.keys.size).toBeGreaterThan(0);
      expect(acked.secrets.size).toBeGreaterThan(0);
    },
    30_000 + CYCLES * 20_000,
  ); // two server starts and a check per cycle

  it.runIf(dialect === 'postgres')(
    'keeps every acknowledged write when PostgreSQL goes away mid-load, then kill -9',
    async () => {
      const acked = newAcked();
      const midLoad = async () => {
        if (PG_RESTART !== undefined) {
          execSync(PG_RESTART, { stdio: 'ignore' }); // a real restart of a private cluster (soak script)
        } else {
          await proxy!.cut(); // every connection dies mid-transaction, as in a restart
          await new Promise((r) => setTimeout(r, 500));
          await proxy!.restore();
        }
      };
      const r = await crashCycle({ dataDir, env, rootKey, keyspaceId, acked, openStore, midLoad, loadMs: 1500 });
      console.log(
        `postgres ${PG_RESTART ? 'restarted' : 'cut off'} mid-load: ${r.writes} acknowledged writes, ${r.failed} refused meanwhile, all present after kill -9`,
      );
      expect(r.writes).toBeGreaterThan(10);
    },
    60_000,
  );
});
