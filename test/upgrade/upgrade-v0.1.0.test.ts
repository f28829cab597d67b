import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, EnvelopeKeyring } from '@tessera/core';
import { createApp, createServices, loadConfig, openInstance, type Services } from '@tessera/server';
import { kyselyPorts } from '@tessera/store';
import type { FastifyInstance } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, runCli } from '../support/cli.js';
import { TEST_DATABASE_URL, type Dialect } from '../support/databases.js';
import { installV010DataDir, V010_FIXTURES } from '../support/v010-fixture.js';

/**
 * A data dir (SQLite) and a database dump (PostgreSQL) made by release 0.1.0 — see
 * test/fixtures/v0.1.0 — upgraded in place by this version: `tessera migrate` applies what
 * `--dry-run` listed, then every key, secret, OAuth client, root key and audit entry is checked.
 * The server runs at the moment 0.1.0 checked its answers (plus a minute), so the expected codes
 * of keys with expiry or grace periods hold whatever the date the test runs.
 */
const FIXTURES = V010_FIXTURES;

interface Manifest {
  checkedAt: string;
  rootKey: { id: string; key: string };
  consoleUser: { email: string; password: string };
  audit: { checked: number; checkpoints: { checked: number } };
  keys: { label: string; keyId: string; key: string; check: Record<string, unknown>; code: string; credits?: { remaining: number } }[];
  secrets: { name: string; versions: { version: number; value: string }[] }[];
  oauthClients: { name: string; clientId: string; secrets: string[]; authMethod: string; signingAlg: string }[];
  rootKeys: { name: string; id: string; key: string; revoked: boolean }[];
}
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { version: string } & Record<Dialect, Manifest>;

/** Puts the fixture where an operator's instance would be; returns the instance's environment. */
async function install(dialect: Dialect, dataDir: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  installV010DataDir(dialect, dataDir);
  if (dialect === 'sqlite') return { env: { TESSERA_DATA_DIR: dataDir }, drop: async () => {} };
  const database = `tessera_upgrade_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  execFileSync('psql', ['--quiet', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-f', join(FIXTURES, 'postgres', 'dump.sql'), url.href], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return {
    env: { TESSERA_DATA_DIR: dataDir, TESSERA_DATABASE_URL: url.href },
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${database} with (force)`);
      await c.end();
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('a %s instance made by Tessera 0.1.0', (dialect) => {
  const facts = manifest[dialect];
  const dir = mkdtempSync(join(tmpdir(), 'tessera-upgrade-'));
  const clock: Clock = { now: () => Date.parse(facts.checkedAt) + 60_000 };
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let app: FastifyInstance;
  let url: string;
  let pending: string[];
  let applied: string[];
  let keyring: EnvelopeKeyring;
  let services: Services;

  const call = async (method: string, path: string, body?: unknown, bearer: string | null = facts.rootKey.key) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(bearer !== null && { authorization: `Bearer ${bearer}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    expect(manifest.version).toBe('0.1.0');
    buildOnce();
    ({ env, drop } = await install(dialect, join(dir, 'data')));
    const dry = await runCli(['migrate', '--dry-run', '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    pending = JSON.parse(dry.stdout).pending;
    const run = await runCli(['migrate', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    applied = JSON.parse(run.stdout).applied;

    const config = loadConfig({ ...env, TESSERA_LOG_LEVEL: 'silent' });
    const opened = await openInstance(config);
    const store = opened.store;
    keyring = opened.keyring;
    services = createServices({ ports: kyselyPorts(store), keyring, clock, usageFlushMs: 50 });
    app = await createApp({ config, services });
    app.addHook('onClose', async () => {
      await store.close();
      await keyring.close();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates in place: `migrate` applies exactly what `migrate --dry-run` listed, and then nothing is pending', async () => {
    expect(applied).toEqual(pending);
    const again = await runCli(['migrate', '--dry-run'], { env });
    expect(again.stdout.trim()).toBe('The database schema is up to date.');
  });

  it('answers every key with the code 0.1.0 gave it, credits included', async () => {
    expect(facts.keys.length).toBeGreaterThanOrEqual(15);
    expect(new Set(facts.keys.map((k) => k.code))).toEqual(
      new Set(['VALID', 'INSUFFICIENT_SCOPE', 'DISABLED', 'REVOKED', 'EXPIRED', 'USAGE_EXCEEDED', 'IP_NOT_ALLOWED', 'NOT_FOUND']),
    );
    for (const k of facts.keys) {
      const r = await call('POST', '/v1/keys/verify', { key: k.key, cost: 0, ...k.check });
      expect({ label: k.label, code: r.body.code }).toEqual({ label: k.label, code: k.code });
      if (k.code !== 'NOT_FOUND') expect(r.body.keyId).toBe(k.keyId);
      if (k.credits !== undefined) expect({ label: k.label, credits: r.body.credits }).toEqual({ label: k.label, credits: k.credits });
    }
  });

  const verifyEveryKey = async () => {
    for (const k of facts.keys) {
      const r = await call('POST', '/v1/keys/verify', { key: k.key, cost: 0, ...k.check });
      expect({ label: k.label, code: r.body.code }).toEqual({ label: k.label, code: k.code });
    }
  };
  const tokenStatus = async (clientId: string, authMethod: string, secret: string) => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (authMethod === 'client_secret_basic') headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    else {
      form.set('client_id', clientId);
      form.set('client_secret', secret);
    }
    return (await fetch(`${url}/oauth/token`, { method: 'POST', headers, body: form })).status;
  };

  it('reads every version of every secret', async () => {
    for (const s of facts.secrets) {
      for (const v of s.versions) {
        const r = await call('GET', `/v1/secrets/${encodeURIComponent(s.name)}?version=${v.version}`);
        expect(r.status).toBe(200);
        expect(r.body.value).toBe(v.value);
      }
    }
  });

  it('authenticates every OAuth client with each of its secrets and issues a token signed with its algorithm', async () => {
    for (const c of facts.oauthClients) {
      for (const secret of c.secrets) {
        const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' });
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (c.authMethod === 'client_secret_basic')
          headers.authorization = `Basic ${Buffer.from(`${c.clientId}:${secret}`).toString('base64')}`;
        else {
          form.set('client_id', c.clientId);
          form.set('client_secret', secret);
        }
        const res = await fetch(`${url}/oauth/token`, { method: 'POST', headers, body: form });
        const body = await res.json();
        expect({ client: c.name, status: res.status }).toEqual({ client: c.name, status: 200 });
        expect(decodeProtectedHeader(body.access_token).alg).toBe(c.signingAlg);
        const intro = new URLSearchParams({ token: body.access_token });
        if (c.authMethod === 'client_secret_post') {
          intro.set('client_id', c.clientId);
          intro.set('client_secret', secret);
        }
        const i = await fetch(`${url}/oauth/introspect`, { method: 'POST', headers, body: intro });
        expect((await i.json()).active).toBe(true);
      }
      const wrong = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'not-the-secret' }),
      });
      expect(wrong.status).toBe(401);
    }
  });

  it('keeps root keys, their permissions and revocations, and the console account', async () => {
    expect((await call('GET', '/v1/keyspaces')).status).toBe(200);
    const verifier = facts.rootKeys.find((r) => r.name === 'verifier')!;
    expect((await call('POST', '/v1/keys/verify', { key: facts.keys[0]!.key, cost: 0 }, verifier.key)).body.code).toBe('VALID');
    expect((await call('GET', '/v1/keyspaces', undefined, verifier.key)).status).toBe(403);
    const retired = facts.rootKeys.find((r) => r.revoked)!;
    expect((await call('GET', '/v1/keyspaces', undefined, retired.key)).status).toBe(401);
    const login = (password: string) => call('POST', '/console/api/login', { email: facts.consoleUser.email, password }, null);
    // The 0.1.0 password hash still verifies: the account (no second factor yet) goes on to enrol;
    // a wrong password gets a decoy that asks for a code (the password step tells nothing).
    expect((await login(facts.consoleUser.password)).body).toMatchObject({ next: 'enroll' });
    expect((await login('not the password at all')).body).toMatchObject({ next: 'totp' });
  });

  it('verifies the audit chain and the checkpoints 0.1.0 signed', async () => {
    const r = await call('GET', '/v1/audit/verify');
    expect(r.body.ok).toBe(true);
    expect(r.body.checked).toBeGreaterThanOrEqual(facts.audit.checked);
    expect(r.body.checkpoints.checked).toBeGreaterThanOrEqual(facts.audit.checkpoints.checked);
  });

  it('keeps the 0.1.0 pepper (plain) until `keyring rotate --pepper`, after which every credential still works and API keys move to the labelled pepper', async () => {
    const before = await runCli(['keyring', 'status', '--json'], { env });
    expect(JSON.parse(before.stdout)).toMatchObject({ pepperVersion: 1, pepperInput: 'plain' });
    const rotated = await runCli(['keyring', 'rotate', '--pepper', '--json'], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    await keyring.refresh(); // what a running server does every 30 seconds
    expect(keyring.currentPepperVersion).toBe(2);
    expect(keyring.pepperInput()).toBe('labelled');
    const after = await runCli(['keyring', 'status', '--json'], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ pepperVersion: 2, pepperInput: 'labelled' });

    // Nothing cached: every lookup goes to the store, under the labelled pepper first.
    services.verifier.cache.clear();
    services.rootKeys.cache.clear();
    for (const c of facts.oauthClients) await services.bus.publish({ kind: 'oauth_client', id: c.clientId });
    await verifyEveryKey();
    const verifier = facts.rootKeys.find((r) => r.name === 'verifier')!;
    expect((await call('POST', '/v1/keys/verify', { key: facts.keys[0]!.key, cost: 0 }, verifier.key)).body.code).toBe('VALID');
    expect((await call('GET', '/v1/keyspaces', undefined, facts.rootKeys.find((r) => r.revoked)!.key)).status).toBe(401);
    for (const c of facts.oauthClients) {
      for (const secret of c.secrets)
        expect({ client: c.name, status: await tokenStatus(c.clientId, c.authMethod, secret) }).toEqual({ client: c.name, status: 200 });
      expect(await tokenStatus(c.clientId, c.authMethod, 'not-the-secret')).toBe(401);
    }

    // Each API key found under the 0.1.0 pepper was re-hashed to the labelled one, off the verify path.
    await services.rehasher.flush();
    for (const k of facts.keys.filter((x) => x.code !== 'NOT_FOUND')) {
      const record = (await services.store.getKey(k.keyId))!;
      expect({ label: k.label, pepperVersion: record.pepperVersion }).toEqual({ label: k.label, pepperVersion: 2 });
      expect(record.hash).toBe(keyring.hash('api_key', k.key, 2));
    }
    // So were the root keys used since.
    for (const r of [facts.rootKey, facts.rootKeys.find((x) => x.name === 'verifier')!]) {
      expect((await services.store.getRootKey(r.id))!.hash).toBe(keyring.hash('root_key', r.key, 2));
    }
    services.verifier.cache.clear();
    services.rootKeys.cache.clear();
    await verifyEveryKey();
    const fresh = (await call('POST', '/v1/keys', { keyspaceId: (await call('GET', '/v1/keyspaces')).body.items[0].id })).body;
    expect((await services.store.getKey(fresh.keyId))!.pepperVersion).toBe(2);
  });
});
