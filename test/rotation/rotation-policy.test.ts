import { ManualClock } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandContext } from '../../apps/server/src/cli/context.js';
import { keysCommand } from '../../apps/server/src/cli/keys.js';
import { buildOnce, runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Rotation policies of a keyspace: a maximum key lifetime (refused past it on create and update;
 * existing keys given an expiry at the limit, with notice) and a rotation schedule (told ahead,
 * expired at the end of the grace when not rolled).
 */
describe.each(DIALECTS)('rotation policy (%s)', (dialect) => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  const clock = new ManualClock(Date.parse('2026-06-01T09:00:00Z'));
  let n = 0;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    s = await startTestServer(dialect, { clock, env: LOOPBACK_WEBHOOKS });
    await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['key.rotation_due', 'key.expiring'] });
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  const keyspace = async () => (await s.api('POST', '/v1/keyspaces', { name: `rot${++n}`, prefix: `rot${n}` })).body.id as string;
  const key = async (body: Record<string, unknown>) => (await s.api('POST', '/v1/keys', body)).body as { keyId: string; key: string };
  const get = async (keyId: string) => (await s.api('GET', `/v1/keys/${keyId}`)).body;
  const verify = async (k: string) => (await s.api('POST', '/v1/keys/verify', { key: k })).body.code as string;
  /** The webhooks sent since the last call: type and key. */
  async function webhooks(): Promise<[string, string, Record<string, unknown>][]> {
    await s.services.monitoring.settle();
    const got = receiver.received.splice(0).map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    return got.map((b) => [b.type, b.data.keyId as string, b.data]);
  }

  it('gives live keys an expiry at the limit when a maximum lifetime is set, audited and told', async () => {
    const ks = await keyspace();
    const forever = await key({ keyspaceId: ks });
    const late = await key({ keyspaceId: ks, ttlSeconds: 200 * 86_400 });
    const soon = await key({ keyspaceId: ks, ttlSeconds: 10 * 86_400 });
    const revoked = await key({ keyspaceId: ks });
    await s.api('POST', `/v1/keys/${revoked.keyId}/revoke`, {});
    await webhooks();
    const r = await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { maxKeyLifetimeDays: 90 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ maxKeyLifetimeDays: 90, rotationIntervalDays: null, rotationNoticeDays: 7, rotationGraceDays: 7 });
    const limit = iso(clock.now() + 90 * DAY);
    expect((await get(forever.keyId)).expiresAt).toBe(limit);
    expect((await get(late.keyId)).expiresAt).toBe(limit);
    expect((await get(soon.keyId)).expiresAt).toBe(iso(clock.now() + 10 * DAY));
    expect((await get(revoked.keyId)).expiresAt).toBeNull();
    const audit = (await s.api('GET', '/v1/audit?action=key.expiry_scheduled&limit=10')).body.items as { target: string; details: any }[];
    const capped = audit.filter((e) => [forever.keyId, late.keyId].includes(e.target));
    expect(capped.map((e) => e.details.reason)).toEqual([
      'maximum key lifetime (policy: 90 days)',
      'maximum key lifetime (policy: 90 days)',
    ]);
    const changed = (await s.api('GET', '/v1/audit?action=keyspace.policy_updated&limit=1')).body.items[0];
    expect(changed).toMatchObject({ target: ks, details: { changed: ['maxKeyLifetimeDays'], keysGivenExpiry: 2 } });
    const told = (await webhooks()).filter(([type]) => type === 'key.expiring');
    expect(told.map(([, keyId]) => keyId).sort()).toEqual([forever.keyId, late.keyId].sort());
    // The cached record of a node sees the new expiry: the key stops at the limit.
    expect(await verify(forever.key)).toBe('VALID');
    clock.advance(90 * DAY + 1);
    expect(await verify(forever.key)).toBe('EXPIRED');
  });

  it('refuses a key created or updated past the limit, naming it; a key made without expiry gets one', async () => {
    const ks = await keyspace();
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { maxKeyLifetimeDays: 30 });
    const made = await key({ keyspaceId: ks });
    expect((await get(made.keyId)).expiresAt).toBe(iso(clock.now() + 30 * DAY));
    const tooLong = await s.api('POST', '/v1/keys', { keyspaceId: ks, ttlSeconds: 31 * 86_400 });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toMatchObject({ code: 'KEY_LIFETIME_EXCEEDED' });
    expect(tooLong.body.detail).toContain('maximum key lifetime is 30 days');
    expect(tooLong.body.detail).toContain(iso(clock.now() + 30 * DAY));
    const never = await s.api('PATCH', `/v1/keys/${made.keyId}`, { expiresAt: null });
    expect(never.status).toBe(422);
    expect(never.body.detail).toContain('cannot be set to never expire');
    const later = await s.api('PATCH', `/v1/keys/${made.keyId}`, { expiresAt: iso(clock.now() + 40 * DAY) });
    expect(later.status).toBe(422);
    const within = await s.api('PATCH', `/v1/keys/${made.keyId}`, { expiresAt: iso(clock.now() + 20 * DAY) });
    expect(within.status).toBe(200);
    // Other changes are not held to the limit they did not touch.
    expect((await s.api('PATCH', `/v1/keys/${made.keyId}`, { name: 'renamed' })).status).toBe(200);
    // Lifted: keys may live as long as they are asked to again.
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { maxKeyLifetimeDays: null });
    expect((await s.api('PATCH', `/v1/keys/${made.keyId}`, { expiresAt: null })).status).toBe(200);
  });

  it('tells owners ahead that a key is due for rotation, once, and expires it after the grace when not rolled', async () => {
    const ks = await keyspace();
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { rotationIntervalDays: 30, rotationNoticeDays: 7, rotationGraceDays: 5 });
    const created = clock.now();
    const stale = await key({ keyspaceId: ks });
    const rolled = await key({ keyspaceId: ks });
    const due = iso(created + 30 * DAY);
    expect((await get(stale.keyId)).rotationDueAt).toBe(due);
    const listed = (await s.api('GET', `/v1/keys?keyspaceId=${ks}`)).body.items as { keyId: string; rotationDueAt: string }[];
    expect(listed.map((k) => k.rotationDueAt)).toEqual([due, due]);
    await webhooks();

    clock.advance(22 * DAY);
    expect((await s.api('POST', '/v1/hygiene/sweep')).body.rotationDue).toBe(0);
    clock.advance(DAY);
    expect((await s.api('POST', '/v1/hygiene/sweep')).body).toMatchObject({ rotationDue: 2, rotationOverdue: 0 });
    expect((await s.api('POST', '/v1/hygiene/sweep')).body.rotationDue).toBe(0); // once each
    const told = (await webhooks()).filter(([type]) => type === 'key.rotation_due');
    expect(told.map(([, keyId]) => keyId).sort()).toEqual([stale.keyId, rolled.keyId].sort());
    expect(told[0]![2]).toMatchObject({ rotationDueAt: due, graceEndsAt: iso(created + 35 * DAY) });

    // Rolled in time: the new key's schedule starts at the roll; the old key is no longer due.
    const successor = (await s.api('POST', `/v1/keys/${rolled.keyId}/roll`, { gracePeriodSeconds: 3600 })).body;
    expect((await get(rolled.keyId)).rotationDueAt).toBeNull();
    expect((await get(successor.keyId)).rotationDueAt).toBe(iso(clock.now() + 30 * DAY));

    clock.advance(7 * DAY); // past the due date
    expect((await s.api('POST', '/v1/hygiene/sweep')).body.rotationOverdue).toBe(1);
    expect((await get(stale.keyId)).expiresAt).toBe(iso(created + 35 * DAY));
    expect((await s.api('POST', '/v1/hygiene/sweep')).body.rotationOverdue).toBe(0);
    const expiring = (await webhooks()).filter(([type]) => type === 'key.expiring');
    expect(expiring.map(([, keyId]) => keyId)).toContain(stale.keyId);
    expect(await verify(stale.key)).toBe('VALID');
    clock.advance(5 * DAY);
    expect(await verify(stale.key)).toBe('EXPIRED');
    expect(await verify(successor.key)).toBe('VALID');
  });

  it('gives a key already overdue when a schedule is set the whole grace from when it is told, never an expiry in the past', async () => {
    const ks = await keyspace();
    const old = await key({ keyspaceId: ks });
    const created = clock.now();
    // Days, not months: the CLI tests below need the server's clock to stay behind the real one.
    clock.advance(10 * DAY); // long past a 2-day schedule, and its grace
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { rotationIntervalDays: 2, rotationNoticeDays: 2, rotationGraceDays: 3 });
    expect((await get(old.keyId)).rotationDueAt).toBe(iso(created + 2 * DAY)); // overdue by its age
    await webhooks();
    const told = clock.now();
    await s.api('POST', '/v1/hygiene/sweep');
    const mine = async () => (await webhooks()).filter(([, keyId]) => keyId === old.keyId);
    const sent = await mine();
    expect(sent.find(([type]) => type === 'key.rotation_due')?.[2]).toMatchObject({ graceEndsAt: iso(told + 3 * DAY) });
    expect(sent.find(([type]) => type === 'key.expiring')?.[2]).toMatchObject({ expiresAt: iso(told + 3 * DAY) });
    expect(sent).toHaveLength(2);
    expect((await get(old.keyId)).expiresAt).toBe(iso(told + 3 * DAY));
    const entry = (await s.api('GET', '/v1/audit?action=key.expiry_scheduled&limit=1')).body.items[0];
    expect(entry).toMatchObject({ target: old.keyId, details: { expiresAt: iso(told + 3 * DAY) } });
    // Told once, given its expiry once.
    clock.advance(DAY);
    await s.api('POST', '/v1/hygiene/sweep');
    expect((await mine()).filter(([type, , d]) => type === 'key.rotation_due' || d.reason !== 'expiry')).toEqual([]);
    expect((await get(old.keyId)).expiresAt).toBe(iso(told + 3 * DAY));
    clock.advance(2 * DAY - 1);
    expect(await verify(old.key)).toBe('VALID');
    clock.advance(1);
    expect(await verify(old.key)).toBe('EXPIRED');
  });

  it.runIf(dialect === 'sqlite')('sets and shows the rotation rules from the CLI', async () => {
    buildOnce();
    const ks = await keyspace();
    const env = { TESSERA_URL: s.url, TESSERA_ROOT_KEY: s.rootKey };
    const set = await runCli(
      ['keyspaces', 'policy', ks, '--max-lifetime-days', '90', '--rotate-every-days', '60', '--rotation-grace-days', '3'],
      { env },
    );
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('maximum key lifetime   90 days');
    expect(set.stdout).toContain('rotate every           60 days (notice 7 days ahead, 3 days of grace)');
    const cleared = await runCli(['keyspaces', 'policy', ks, '--rotate-every-days', 'none', '--json'], { env });
    expect(JSON.parse(cleared.stdout)).toMatchObject({ maxKeyLifetimeDays: 90, rotationIntervalDays: null, rotationGraceDays: 3 });
    expect((await runCli(['keyspaces', 'policy', ks, '--max-lifetime-days', 'soon'], { env })).code).toBe(2);
    // The detection tuning, on the same command.
    const tuned = await runCli(
      ['keyspaces', 'policy', ks, '--sensitivity', '0.5', '--quiet-hours', '22-2,12', '--known-networks', '203.0.113.0/24,2001:db8::/48'],
      { env },
    );
    expect(tuned.stderr).toBe('');
    expect(tuned.stdout).toContain('detection sensitivity  0.5');
    expect(tuned.stdout).toContain('quiet hours (UTC)      0, 1, 2, 12, 22, 23');
    expect(tuned.stdout).toContain('known networks         203.0.113.0/24, 2001:db8::/48');
    const untuned = await runCli(['keyspaces', 'policy', ks, '--quiet-hours', 'none', '--known-networks', 'none', '--json'], { env });
    expect(JSON.parse(untuned.stdout)).toMatchObject({
      detectionSensitivity: 0.5,
      quietHours: [],
      knownNetworks: [],
      maxKeyLifetimeDays: 90,
    });
    expect((await runCli(['keyspaces', 'policy', ks, '--quiet-hours', '25'], { env })).code).toBe(2);
    // A usage-driven roll and its rollover, from the CLI.
    const old = await key({ keyspaceId: ks });
    const roll = await runCli(['keys', 'roll', old.keyId, '--grace', '3600', '--retire-when-unused', '--quiet', '600', '--json'], { env });
    const successor = JSON.parse(roll.stdout).keyId as string;
    const shown = await runCli(['keys', 'rollover', old.keyId], { env });
    expect(shown.stdout).toContain(successor);
    expect(shown.stdout).toContain('pending_first_use');
  });

  it.runIf(dialect === 'sqlite')('lists the keys due for rotation from the CLI, soonest first', async () => {
    // In process, over the API: the same command the binary runs.
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const due = async (flags: Record<string, string | boolean> = {}) => {
      printed.length = 0;
      await keysCommand('due', commandContext({ url: s.url, 'root-key': s.rootKey, ...flags }, []));
      return flags.json ? (JSON.parse(printed.join('')).items as { keyId: string }[]).map((k) => k.keyId) : printed.join('');
    };
    try {
      // The CLI judges by its own clock (real time); the server's is frozen in 2026. A 10-year
      // schedule is not due yet by either, a 1-day one was due long ago by both.
      const [soon, notYet] = [await keyspace(), await keyspace()];
      await s.api('PUT', `/v1/keyspaces/${soon}/policy`, { rotationIntervalDays: 1 });
      await s.api('PUT', `/v1/keyspaces/${notYet}/policy`, { rotationIntervalDays: 3660 });
      const first = await key({ keyspaceId: soon, name: 'first' });
      clock.advance(60_000);
      const second = await key({ keyspaceId: soon, name: 'second' });
      clock.advance(60_000);
      const rolled = await key({ keyspaceId: soon });
      await s.api('POST', `/v1/keys/${rolled.keyId}/roll`, { gracePeriodSeconds: 60 });
      const revoked = await key({ keyspaceId: soon });
      await s.api('POST', `/v1/keys/${revoked.keyId}/revoke`, {});
      const later = await key({ keyspaceId: notYet });

      const ids = (await due({ keyspace: soon, json: true })) as string[];
      // Soonest first; the rolled key's successor is due by its own schedule, a day from the roll.
      expect(ids).toHaveLength(3);
      expect(ids.slice(0, 2)).toEqual([first.keyId, second.keyId]);
      expect(ids).not.toContain(rolled.keyId);
      expect(ids).not.toContain(revoked.keyId);
      const human = (await due({ keyspace: soon })) as string;
      expect(human).toMatch(new RegExp(`${first.keyId}\\s+first\\s+-\\s+\\S+\\s+yes`));
      expect(human).toContain('tessera keys roll KEY_ID');
      // The whole workspace: a key due in ten years is not listed, unless the window reaches it.
      const all = (await due({ json: true })) as string[];
      expect(all).toContain(first.keyId);
      expect(all).not.toContain(later.keyId);
      expect(await due({ keyspace: notYet, within: '5000', json: true })).toEqual([later.keyId]);
      expect(await due({ keyspace: notYet })).toContain('No live key is due for rotation.');
      await expect(due({ within: 'soon' })).rejects.toThrow('--within must be a whole number');
    } finally {
      write.mockRestore();
    }
  });
});
