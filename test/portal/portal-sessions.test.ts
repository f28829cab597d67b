import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertOf, enterPortal, PortalOwner, ShiftedClock } from './support.js';

describe.each(DIALECTS)('portal sessions (%s)', (dialect) => {
  let s: TestServer;
  let keyspaceId: string;
  const clock = new ShiftedClock();
  const newSession = (body: Record<string, unknown> = {}, bearer?: string) =>
    s.api('POST', '/v1/portal/sessions', { ownerId: 'alice', keyspaceId, returnUrl: 'https://app.example.com/keys', ...body }, bearer);
  const keysOf = async (ownerId: string) => (await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&ownerId=${ownerId}`)).body.items;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'Acme', prefix: 'acme' })).body.id;
  });
  afterAll(() => s?.close());

  it('answers a short-lived link to the portal, which opens once and sets an HttpOnly cookie without the token in the URL', async () => {
    const r = await newSession();
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(new RegExp(`^${s.url}/portal/open/[0-9a-f]{64}$`));
    const ttl = Date.parse(r.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(4 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);
    const owner = new PortalOwner(s);
    const opened = await owner.open(r.body.url);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe('/portal');
    const cookie = opened.setCookies.find((c) => c.startsWith('tessera_portal='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=1800/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP on loopback
    const page = await owner.page();
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Your API keys for Acme</h1>');
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    // The link is single-use: again, in the same browser or another, a clear page.
    for (const again of [owner, new PortalOwner(s)]) {
      const reused = await again.open(r.body.url);
      expect(reused.status).toBe(410);
      expect(reused.html).toContain('This link was used already, or it expired');
    }
    // Only keyed hashes are stored, and no log line holds the token.
    const token = r.body.url.split('/').pop();
    const rows = await s.db.store.kysely
      .selectFrom('portal_sessions' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(s.logs.join('')).not.toContain(token);
    expect(s.logs.join('')).toContain('/portal/open/…'); // the request is logged, without it
  });

  it('refuses an expired link, and ends the session after its lifetime', async () => {
    const late = await newSession();
    clock.offset = 5 * 60_000 + 1000;
    try {
      const page = await new PortalOwner(s).open(late.body.url);
      expect(page.status).toBe(410);
      expect(page.html).not.toMatch(/at .*\.js:\d+/); // a page, no stack trace
    } finally {
      clock.offset = 0;
    }
    const owner = await enterPortal(s, 'alice', keyspaceId);
    expect((await owner.page()).status).toBe(200);
    clock.offset = 31 * 60_000;
    try {
      const ended = await owner.page();
      expect(ended.status).toBe(401);
      expect(ended.html).toContain('Your portal session ended');
    } finally {
      clock.offset = 0;
    }
    expect((await new PortalOwner(s).page()).status).toBe(401);
  });

  it('drops sessions a day after they ended, every hour, whether or not new sessions are made', async () => {
    const rows = () =>
      s.db.store.kysely
        .selectFrom('portal_sessions' as never)
        .select(['id' as never])
        .execute()
        .then((r) => new Set(r.map((x: any) => x.id as string)));
    const before = await rows();
    const unopened = await newSession();
    expect(unopened.status).toBe(201);
    const opened = await enterPortal(s, 'alice', keyspaceId);
    expect((await opened.page()).status).toBe(200);
    const ids = [...(await rows())].filter((id) => !before.has(id));
    expect(ids.length).toBe(2);
    const upkeep = s.services.portal.upkeep;
    try {
      // A day less a minute after the first of them ended (the unopened link's 5 minutes): both kept.
      clock.offset = 5 * 60_000 + 86_400_000 - 60_000;
      await s.services.portal.sessions.purgeEnded();
      const kept = await rows();
      expect(ids.filter((id) => !kept.has(id))).toEqual([]);
      // A day and a minute after the opened one's 30 minutes, the upkeep (its first run is at its
      // start) drops both; no new session is needed for it.
      clock.offset = 30 * 60_000 + 86_400_000 + 60_000;
      await upkeep.stop();
      upkeep.start();
      await expect
        .poll(async () => {
          const now = await rows();
          return ids.filter((id) => now.has(id)).length;
        })
        .toBe(0);
    } finally {
      clock.offset = 0;
    }
    // A live session is not touched.
    const live = await enterPortal(s, 'alice', keyspaceId);
    await s.services.portal.sessions.purgeEnded();
    expect((await live.page()).status).toBe(200);
  });

  it('refuses a form without its CSRF token, or with another browser’s, and changes nothing', async () => {
    const owner = await enterPortal(s, 'carol', keyspaceId);
    const other = await enterPortal(s, 'carol', keyspaceId);
    const foreign = await other.csrf();
    await owner.csrf(); // the owner's browser has its own CSRF cookie
    for (const csrf of ['', 'forged', foreign]) {
      const refused = await owner.create({ name: 'sneaky' }, csrf);
      expect(refused.status).toBe(403);
    }
    expect(await keysOf('carol')).toEqual([]);
    // With its own token, the same form works.
    expect((await owner.create({ name: 'real' })).status).toBe(200);
    expect((await keysOf('carol')).map((k: { name: string }) => k.name)).toEqual(['real']);
  });

  it('validates the return URL, the keyspace and the owner, and needs portal:manage', async () => {
    for (const returnUrl of ['javascript:alert(1)', 'http://app.example.com/keys', '/relative', 'https://user:pw@app.example.com/']) {
      const r = await newSession({ returnUrl });
      expect(r.status, returnUrl).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
    for (const returnUrl of ['http://127.0.0.1:3000/back', 'http://localhost/back', 'https://app.example.com/x?y=1'])
      expect((await newSession({ returnUrl })).status, returnUrl).toBe(201);
    expect((await newSession({ keyspaceId: 'ks_0Hq3Yx8V2aC1rKlN7wSp0m' })).status).toBe(404);
    expect((await newSession({ ownerId: '' })).status).toBe(400);
    const weak = await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['keys:read'] });
    expect((await newSession({}, weak.body.key)).status).toBe(403);
    const portalOnly = await s.api('POST', '/v1/root-keys', { name: 'portal', permissions: ['portal:manage'] });
    expect((await newSession({}, portalOnly.body.key)).status).toBe(201);
    // A root key limited to other keyspaces opens no portal on this one.
    const otherKs = (await s.api('POST', '/v1/keyspaces', { name: 'Other', prefix: 'other' })).body.id;
    const limited = await s.api('POST', '/v1/root-keys', { name: 'limited', permissions: ['portal:manage'], keyspaceIds: [otherKs] });
    expect((await newSession({}, limited.body.key)).status).toBe(404);
    expect((await newSession({ keyspaceId: otherKs }, limited.body.key)).status).toBe(201);
  });

  it('audits the session made by the root key and opened by the owner', async () => {
    const r = await newSession({ ownerId: 'dave' });
    await new PortalOwner(s).open(r.body.url);
    const created = await s.api('GET', `/v1/audit?action=portal.session_created&target=${r.body.id}`);
    expect(created.body.items).toHaveLength(1);
    expect(created.body.items[0].actor).toMatch(/^root_key:rk_/);
    expect(created.body.items[0].details).toMatchObject({ keyspaceId, ownerId: 'dave', returnUrl: 'https://app.example.com/keys' });
    const opened = await s.api('GET', `/v1/audit?action=portal.session_opened&target=${r.body.id}`);
    expect(opened.body.items.map((e: { actor: string }) => e.actor)).toEqual(['portal:dave']);
    expect(alertOf(await new PortalOwner(s).page())).toBeUndefined();
  });
});
