import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { KyselyStore } from '@tessera/store';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, type Dialect } from '../support/databases.js';
import { createInstanceHome, startInstance, type InstanceHome, type RunningInstance } from './support/instance.js';

/**
 * docs/security.md: no secret ever sits in a database row, a keyring file or a log in the clear. Every
 * secret this file writes — vault values, recoverable and ordinary API keys, root keys, OAuth client
 * secrets — and the keyring's own key material is searched for, in several encodings, in every byte
 * of the data directory (SQLite file, WAL, keyring file) and in a dump of every PostgreSQL table.
 */
const PROVIDERS: { dialect: Dialect; name: string; env: () => Record<string, string> }[] = [
  { dialect: 'sqlite', name: 'KEK in TESSERA_MASTER_KEY', env: () => ({ TESSERA_MASTER_KEY: randomBytes(32).toString('base64') }) },
  {
    dialect: 'postgres',
    name: 'KEK in a passphrase-sealed keyring file',
    env: () => ({ TESSERA_KEYRING_PASSPHRASE: `pass-${randomBytes(8).toString('hex')}` }),
  },
  {
    dialect: 'sqlite',
    name: 'KEK in a passphrase-sealed keyring file',
    env: () => ({ TESSERA_KEYRING_PASSPHRASE: `pass-${randomBytes(8).toString('hex')}` }),
  },
];

describe.each(PROVIDERS)('no secret at rest in the clear ($dialect, $name)', ({ dialect, env }) => {
  let home: InstanceHome;
  let t: RunningInstance & { rootKey: string };
  const secrets: string[] = [];
  const keyMaterial: Buffer[] = [];

  beforeAll(async () => {
    const providerEnv = env();
    home = await createInstanceHome(dialect, providerEnv);
    t = await startInstance(home);
    secrets.push(t.rootKey);
    // Vault values, several versions each.
    for (const name of ['payments/stripe', 'webhooks/github', 'smtp/password']) {
      for (let v = 0; v < 3; v++) {
        const value = `vault-${name.replace('/', '-')}-v${v}-${randomBytes(12).toString('hex')}`;
        expect((await t.api('PUT', `/v1/secrets/${name}`, { value })).status).toBe(200);
        secrets.push(value);
      }
    }
    // Recoverable keys (kept encrypted) and ordinary keys (kept as a hash).
    const rec = await t.api('POST', '/v1/keyspaces', { name: 'partners', prefix: 'rc_live', recoverable: true });
    const plain = await t.api('POST', '/v1/keyspaces', { name: 'public', prefix: 'pb_live' });
    for (let i = 0; i < 3; i++) {
      for (const ks of [rec.body.id, plain.body.id]) {
        const k = await t.api('POST', '/v1/keys', { keyspaceId: ks, ownerId: `cust_${i}` });
        expect(k.status).toBe(201);
        secrets.push(k.body.key);
      }
    }
    const recovered = await t.api('GET', `/v1/keys/${(await t.api('POST', '/v1/keys', { keyspaceId: rec.body.id })).body.keyId}/recover`);
    secrets.push(recovered.body.key);
    const rk = await t.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['secrets:read'] });
    secrets.push(rk.body.key);
    // OAuth client secrets, where the server has them.
    const client = await t.api('POST', '/v1/oauth/clients', {
      name: 'backend',
      scopes: ['documents:read'],
      grantTypes: ['client_credentials'],
    });
    if (client.status === 201 && typeof client.body.clientSecret === 'string') secrets.push(client.body.clientSecret);
    // Answers kept for Idempotency-Key retries: a created key, root key, client secret, webhook
    // secret and a vault value, each sent twice so that the second is a replay of the kept answer.
    const once = async (method: string, path: string, body: unknown) => {
      const headers = { 'idempotency-key': `idem-${randomBytes(8).toString('hex')}` };
      const first = await t.api(method, path, body, undefined, headers);
      const replay = await t.api(method, path, body, undefined, headers);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      return first.body;
    };
    secrets.push((await once('POST', '/v1/keys', { keyspaceId: rec.body.id, ownerId: 'idem' })).key);
    secrets.push((await once('POST', '/v1/keys', { keyspaceId: plain.body.id, ownerId: 'idem' })).key);
    secrets.push((await once('POST', '/v1/root-keys', { name: 'idem', permissions: ['keys:read'] })).key);
    const idemValue = `vault-idempotent-${randomBytes(12).toString('hex')}`;
    await once('PUT', '/v1/secrets/idem/value', { value: idemValue });
    secrets.push(idemValue);
    const idemClient = await once('POST', '/v1/oauth/clients', { name: 'idem', grantTypes: ['client_credentials'] });
    if (typeof idemClient.clientSecret === 'string') secrets.push(idemClient.clientSecret);
    secrets.push(
      (await once('POST', '/v1/webhooks', { url: 'https://hooks.example.com/idem', events: ['key.created'], enabled: false })).secret,
    );
    // Reads go through the audit log and the logs too.
    await t.api('GET', '/v1/secrets/payments/stripe?version=1');
    await t.services.checkpointer.checkpoint();
    await t.services.usage.flush();
    // The keyring's own material: peppers, data keys, and a KEK from the environment.
    const internals = t.services.keyring as unknown as {
      peppers: Map<number, { key: KeyObject }>;
      dataKeys: Map<string, Map<number, KeyObject>>;
    };
    for (const p of internals.peppers.values()) keyMaterial.push(p.key.export());
    for (const m of internals.dataKeys.values()) for (const k of m.values()) keyMaterial.push(k.export());
    // The audit checkpoint signing key: its Ed25519 seed (the last 32 bytes of its PKCS#8 form).
    for (const k of (await t.services.checkpointer.signingKeys()).values())
      keyMaterial.push(k.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
    if (providerEnv.TESSERA_MASTER_KEY) keyMaterial.push(Buffer.from(providerEnv.TESSERA_MASTER_KEY, 'base64'));
    if (providerEnv.TESSERA_KEYRING_PASSPHRASE) secrets.push(providerEnv.TESSERA_KEYRING_PASSPHRASE);
    expect(keyMaterial.length).toBeGreaterThanOrEqual(4);
  });
  afterAll(async () => {
    await t?.close().catch(() => {});
    await home?.remove();
  });

  /** Each needle in the forms a careless store would leave it in. */
  const needles = (): { what: string; bytes: Buffer }[] => [
    ...secrets.flatMap((s, i) => [
      { what: `secret #${i}`, bytes: Buffer.from(s, 'utf8') },
      { what: `secret #${i} (base64)`, bytes: Buffer.from(Buffer.from(s).toString('base64').slice(0, 24)) },
      { what: `secret #${i} (hex)`, bytes: Buffer.from(Buffer.from(s).toString('hex').slice(0, 32)) },
    ]),
    ...keyMaterial.flatMap((k, i) => [
      { what: `key material #${i} (raw)`, bytes: k.subarray(0, 16) },
      { what: `key material #${i} (base64url)`, bytes: Buffer.from(k.toString('base64url').slice(0, 24)) },
      { what: `key material #${i} (base64)`, bytes: Buffer.from(k.toString('base64').slice(0, 24)) },
      { what: `key material #${i} (hex)`, bytes: Buffer.from(k.toString('hex').slice(0, 32)) },
    ]),
  ];

  const scan = (haystacks: { where: string; bytes: Buffer }[]) => {
    const found: string[] = [];
    for (const h of haystacks) for (const n of needles()) if (h.bytes.includes(n.bytes)) found.push(`${n.what} in ${h.where}`);
    return found;
  };

  const dataDirFiles = () =>
    readdirSync(home.dataDir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(home.dataDir, f))
      .filter((f) => statSync(f).isFile())
      .map((f) => ({ where: f.slice(home.dataDir.length + 1), bytes: readFileSync(f) }));

  it('wrote every kind of secret it claims to search for', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(24);
    // The search would find them: they are in this process's answers.
    expect(scan([{ where: 'self-check', bytes: Buffer.from(secrets.join('|')) }]).length).toBeGreaterThan(0);
  });

  it('finds none in the data directory while running (database, WAL, keyring file)', () => {
    const files = dataDirFiles();
    expect(files.map((f) => f.where)).toEqual(expect.arrayContaining(['keyring.json', 'audit-pin.json', 'audit-checkpoints.jsonl']));
    if (dialect === 'sqlite') expect(files.map((f) => f.where)).toEqual(expect.arrayContaining(['tessera.db', 'tessera.db-wal']));
    expect(scan(files)).toEqual([]);
  });

  it('finds none in the database tables', async () => {
    let dump: Buffer;
    if (dialect === 'postgres') {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      const tables = await c.query(`select table_name from information_schema.tables where table_schema = $1`, [home.schema]);
      const parts: string[] = [];
      for (const { table_name } of tables.rows) {
        const rows = await c.query(`select row_to_json(t)::text as j from ${home.schema}."${table_name}" t`);
        parts.push(...rows.rows.map((r) => `${table_name}: ${r.j}`));
      }
      await c.end();
      expect(parts.some((p) => p.startsWith('secret_versions: '))).toBe(true);
      expect(parts.some((p) => p.startsWith('idempotency_keys: '))).toBe(true);
      dump = Buffer.from(parts.join('\n'));
    } else {
      const db = t.services.store as unknown as { kysely: { selectFrom(t: string): { selectAll(): { execute(): Promise<unknown[]> } } } };
      const parts: string[] = [];
      const { rows: tables } = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
        (t.services.store as KyselyStore).kysely,
      );
      expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(['secret_versions', 'idempotency_keys']));
      for (const { name: table } of tables) {
        parts.push(JSON.stringify(await db.kysely.selectFrom(table).selectAll().execute()));
      }
      dump = Buffer.from(parts.join('\n'));
    }
    expect(scan([{ where: 'table dump', bytes: dump }])).toEqual([]);
  });

  it('finds none in the logs', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    expect(scan([{ where: 'logs', bytes: Buffer.from(t.logs.join('')) }])).toEqual([]);
  });

  it('finds none in the files after a clean shutdown either', async () => {
    await t.close();
    expect(scan(dataDirFiles())).toEqual([]);
  });
});
