import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditHash, ManualClock } from '@tessera/core';
import { createLocalJWKSet, compactVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * docs/security.md, "Audit forgery with write access to the database": someone who can write to
 * the database but not to the server's data folder deletes the newest checkpoints, rewrites the
 * entries after the last one left with recomputed hashes, and waits for the server to sign the
 * forged head. The checkpointer remembers its last checkpoint outside the database and refuses.
 */
describe.each(DIALECTS)('audit forgery by someone with write access to the database (%s)', (dialect) => {
  let s: TestServer;
  let clock: ManualClock;
  const db = () => s.db.store.kysely;
  let c1: number;
  let c2: number;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await startTestServer(dialect, { clock });
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_prod' });
    for (let i = 0; i < 3; i++) await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id, name: `k${i}` });
    c1 = (await s.services.checkpointer.checkpoint())!.seq;
    clock.advance(61_000);
    for (let i = 0; i < 4; i++) await s.api('PUT', `/v1/secrets/s${i}`, { value: `value-${i}` });
    c2 = (await s.services.checkpointer.checkpoint())!.seq;
    clock.advance(10_000);
    await s.api('PUT', '/v1/secrets/after', { value: 'unsigned yet' });
  });
  afterEach(() => s.close());

  /** Deletes every checkpoint after `keep` and rewrites the entries from `from` on with recomputed hashes. */
  const forge = async (keep: number, from: number) => {
    await db().deleteFrom('audit_checkpoints').where('seq', '>', keep).execute();
    const rows = (
      await db()
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>=', from - 1)
        .orderBy('seq')
        .execute()
    ).map((r) => ({
      ...r,
      seq: Number(r.seq),
      ts: Number(r.ts),
    }));
    let prev = rows[0]!.hash as string;
    for (const r of rows.slice(1)) {
      const details = r.seq === from ? { forged: true } : JSON.parse(r.details as string);
      const body = {
        seq: r.seq,
        id: r.id,
        ts: r.ts,
        workspaceId: r.workspace_id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        ip: r.ip,
        details,
      };
      const hash = auditHash(prev, body as never);
      await db()
        .updateTable('audit_log')
        .set({ details: JSON.stringify(details), prev_hash: prev, hash })
        .where('seq', '=', r.seq)
        .execute();
      prev = hash;
    }
    await db().updateTable('audit_head').set({ hash: prev }).execute();
  };

  it('verify says not ok, and the checkpointer refuses to sign the forged head and raises the alarm', async () => {
    await forge(c1, c1 + 2);
    const report = (await s.api('GET', '/v1/audit/verify')).body;
    expect(report).toMatchObject({ ok: false, firstBadSeq: c1 + 1, checkpoints: { lastSignedSeq: c1, missingSeq: c2 } });
    expect(report.reason).toContain('remembered outside the database');

    // Within a minute the server's own checkpointer would have signed the forged head.
    clock.advance(120_000);
    expect(await s.services.checkpointer.tick()).toBeUndefined();
    expect(await s.services.checkpointer.tick()).toBeUndefined();
    const refused = await s.api('POST', '/v1/audit/checkpoints');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('AUDIT_TAMPERED');
    expect(Number((await s.services.store.latestAuditCheckpoint())!.seq)).toBe(c1);

    // The alarm, once: an anomaly (with its audit entry), an error log line, the metric.
    const anomalies = (await s.api('GET', '/v1/anomalies?kind=audit_tampered')).body.items;
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ severity: 'critical', details: { pinnedSeq: c2 } });
    const entries = (await s.api('GET', '/v1/audit?action=anomaly.detected')).body.items;
    expect(entries.some((e: { details: { kind: string } }) => e.details.kind === 'audit_tampered')).toBe(true);
    const line = s.logs.map((l) => JSON.parse(l)).find((l) => l.msg?.includes('AUDIT TAMPERING'));
    expect(line).toMatchObject({ level: 50, audit: { pinnedSeq: c2 } });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_audit_checkpoint_refusals_total 1$/m);
  });

  it('refuses when only unsigned entries after the last checkpoint were rewritten and checked before', async () => {
    // The checkpointer checked the chain up to the head on its last run; a rewrite of what it saw is caught.
    clock.advance(1_000);
    expect(await s.services.checkpointer.tick()).toBeUndefined(); // not due yet, but the chain is checked
    await forge(c2, c2 + 1);
    clock.advance(120_000);
    expect(await s.services.checkpointer.tick()).toBeUndefined();
    expect(Number((await s.services.store.latestAuditCheckpoint())!.seq)).toBe(c2);
  });

  it('refuses when the signing keys were deleted from the database (a new key would sign anything)', async () => {
    await db().deleteFrom('audit_checkpoints').execute();
    await db().deleteFrom('audit_signing_keys').execute();
    (s.services.checkpointer as unknown as { keys: unknown }).keys = undefined; // as after a restart
    clock.advance(120_000);
    expect(await s.services.checkpointer.tick()).toBeUndefined();
    expect(await s.services.store.latestAuditCheckpoint()).toBeUndefined();
    expect(await s.services.store.listAuditSigningKeys()).toEqual([]); // and no new key was made to sign with
    const anomalies = (await s.api('GET', '/v1/anomalies?kind=audit_tampered')).body.items;
    expect(anomalies[0].explanation).toContain('no longer among the audit signing keys');
    expect((await s.api('GET', '/v1/audit/verify')).body.ok).toBe(false);
  });

  it('reports a gap: a checkpoint deleted between two that remain', async () => {
    clock.advance(61_000);
    const c3 = (await s.services.checkpointer.checkpoint())!.seq;
    await db().deleteFrom('audit_checkpoints').where('seq', '=', c2).execute();
    const report = (await s.api('GET', '/v1/audit/verify')).body;
    expect(report).toMatchObject({ ok: false, firstBadSeq: c1 + 1, checkpoints: { missingSeq: c2, lastSignedSeq: c1 } });
    expect(report.reason).toContain(`the one at entry ${c3} follows a checkpoint at entry ${c2}, which is gone`);
  });

  it('reports entries left unsigned for longer than the checkpoint policy allows', async () => {
    expect((await s.api('GET', '/v1/audit/verify')).body.ok).toBe(true);
    clock.advance(4 * 60_000); // the policy signs every 60 s; nothing signed the last entry
    const report = (await s.api('GET', '/v1/audit/verify')).body;
    expect(report).toMatchObject({ ok: false, firstBadSeq: c2 + 1 });
    expect(report.reason).toMatch(/have waited over 180 s for a signed checkpoint/);
    // Once signed, it is ok again.
    await s.services.checkpointer.checkpoint();
    expect((await s.api('GET', '/v1/audit/verify')).body.ok).toBe(true);
  });

  it('keeps a copy of every checkpoint outside the database: the append-only file and the pin', async () => {
    const lines = readFileSync(join(s.db.dataDir, 'audit-checkpoints.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.checkpoint.seq)).toEqual([c1, c2]);
    const pin = JSON.parse(readFileSync(join(s.db.dataDir, 'audit-pin.json'), 'utf8'));
    expect(pin).toMatchObject({ format: 'tessera-audit-pin/v1', checkpoint: { seq: c2 } });
    expect(existsSync(join(s.db.dataDir, 'audit-pin.json.tmp'))).toBe(false);
  });

  it('publishes the public key, and a checkpoint from an export verifies offline with jose', async () => {
    const res = await fetch(`${s.url}/.well-known/tessera-audit-keys.json`); // no credentials needed
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/jwk-set+json');
    const jwks = await res.json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();

    const exported = await (
      await fetch(`${s.url}/v1/audit/export?checkpoints=true`, { headers: { authorization: `Bearer ${s.rootKey}` } })
    ).text();
    const lines = exported
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const entries = new Map(lines.filter((l) => l.checkpoint === undefined).map((e) => [e.seq, e]));
    const checkpoints = lines.filter((l) => l.checkpoint !== undefined).map((l) => l.checkpoint);
    expect(checkpoints.map((c) => c.seq)).toEqual([c1, c2]);
    const keys = createLocalJWKSet(jwks);
    for (const c of checkpoints) {
      const { payload, protectedHeader } = await compactVerify(c.signature, keys, { algorithms: ['EdDSA'] });
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0].kid, typ: 'tessera-audit-checkpoint' });
      const signed = JSON.parse(new TextDecoder().decode(payload));
      expect(signed).toMatchObject({ format: 'tessera-audit-checkpoint/v2', seq: c.seq, hash: c.hash, ts: c.ts });
      expect(entries.get(c.seq).hash).toBe(signed.hash); // the export's entry is the one signed
    }
    // Each names the one before it, so a deleted checkpoint shows.
    const second = JSON.parse(new TextDecoder().decode((await compactVerify(checkpoints[1].signature, keys)).payload));
    expect(second.prev).toEqual({ seq: c1, hash: checkpoints[0].hash });
    // An altered checkpoint does not verify.
    const [h, p, sig] = checkpoints[1].signature.split('.');
    const altered = Buffer.from(JSON.stringify({ ...second, seq: c2 + 1 })).toString('base64url');
    await expect(compactVerify(`${h}.${altered}.${sig}`, keys)).rejects.toThrow();
    expect(p).not.toBe(altered);
  });
});
