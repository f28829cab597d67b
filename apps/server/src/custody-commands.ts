import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import {
  appendAudit,
  auditPublicJwks,
  AuditPinFile,
  loadAuditSigningKeys,
  systemClock,
  verifyAuditLog,
  type Actor,
  type AuditReport,
} from '@tessera/core';
import type { Config } from './config.js';
import { auditPinPath, openInstance, PLAIN_PEPPER_NOTICE } from './instance.js';
import { AUDIT_KEYS_PATH, auditLines } from './audit/audit-export.js';

/** What the CLI's commands share: parsed flags, output, the API client and the configuration. */
export interface CommandContext {
  flags: Record<string, string | boolean | undefined>;
  rest: string[];
  out(human: string, json: unknown): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
  api(method: string, path: string, body?: unknown): Promise<any>;
  config(): Config;
  usage(message: string): Error;
}

const CLI_ACTOR: Actor = { id: 'system', workspaceId: null, ip: null };

/** `tessera keyring …`: works on the instance itself, since the KEK never travels over the API. */
export async function keyringCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  if (sub !== 'rotate' && sub !== 'status')
    throw ctx.usage('usage: tessera keyring rotate [--kek] [--data-keys] [--pepper] | keyring status');
  const { store, keyring } = await openInstance(ctx.config());
  try {
    if (sub === 'status') {
      const s = await keyring.status();
      ctx.out(
        [
          `provider: ${s.provider}`,
          `KEK version: ${s.kekVersion}`,
          `pepper version: ${s.pepperVersion} (${s.pepperInput === 'labelled' ? 'labelled' : 'plain: ' + PLAIN_PEPPER_NOTICE})`,
          ...s.dataKeys.map((k) => `data key ${k.scope} v${k.version} (wrapped under KEK v${k.kekVersion})`),
        ].join('\n'),
        s,
      );
      return 0;
    }
    const { flags } = ctx;
    const kek = flags.kek === true || (flags['data-keys'] !== true && flags.pepper !== true);
    const done: Record<string, unknown> = {};
    if (flags.pepper === true) {
      const version = await keyring.rotatePepper();
      await store.transaction((tx) =>
        appendAudit(tx, systemClock, CLI_ACTOR, { action: 'keyring.pepper_rotated', target: null, details: { pepperVersion: version } }),
      );
      done.pepperVersion = version;
    }
    if (flags['data-keys'] === true) {
      const rotated = await keyring.rotateDataKeys();
      await store.transaction((tx) =>
        appendAudit(tx, systemClock, CLI_ACTOR, { action: 'keyring.data_keys_rotated', target: null, details: { dataKeys: rotated } }),
      );
      done.dataKeys = rotated;
    }
    if (kek) {
      const bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 're-wrapping keys [{bar}] {value}/{total}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      const progress = (n: number, total: number) => (n === 0 ? bar.start(total, 0) : bar.update(n));
      // With TESSERA_MASTER_KEY the new version is added to the variable by the operator: re-wrap under it.
      const r =
        keyring.kek.kind === 'env'
          ? { kekVersion: keyring.kek.currentVersion(), rewrapped: await keyring.rewrapAll(progress) }
          : await keyring.rotateKek(progress);
      bar.stop();
      await store.transaction((tx) =>
        appendAudit(tx, systemClock, CLI_ACTOR, {
          action: 'keyring.kek_rotated',
          target: null,
          details: { provider: keyring.kek.kind, ...r },
        }),
      );
      done.kekVersion = r.kekVersion;
      done.rewrapped = r.rewrapped;
    }
    const lines = [];
    if (done.kekVersion !== undefined)
      lines.push(`KEK is now version ${done.kekVersion}; ${done.rewrapped} keys re-wrapped, no data re-encrypted.`);
    if (done.dataKeys !== undefined)
      lines.push(
        `New data key versions: ${(done.dataKeys as { scope: string; version: number }[]).map((d) => `${d.scope} v${d.version}`).join(', ') || '(no data keys yet)'}.`,
      );
    if (done.pepperVersion !== undefined)
      lines.push(`Pepper is now version ${done.pepperVersion}: new keys hash with it, existing keys keep verifying.`);
    lines.push('Running nodes pick the new versions up within 30 seconds.');
    ctx.out(lines.join('\n'), done);
    return 0;
  } finally {
    await store.close();
    await keyring.close();
  }
}

/** `tessera secrets …`, over the API; values come from stdin so they stay out of shell history. */
export async function secretsCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const name = ctx.rest[0];
  const path = (n: string) => `/v1/secrets/${n.split('/').map(encodeURIComponent).join('/')}`;
  const need = (v: string | undefined) => {
    if (v === undefined || v === '') throw ctx.usage(`usage: tessera secrets ${sub} NAME`);
    return v;
  };
  switch (sub) {
    case 'put': {
      const value = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (value === '') throw ctx.usage('pipe the secret value on stdin: tessera secrets put NAME < file');
      const rotateBy = ctx.flags['rotate-by'];
      const r = await ctx.api('PUT', path(need(name)), {
        value,
        ...(typeof rotateBy === 'string' && { rotateBy: new Date(rotateBy).toISOString() }),
      });
      ctx.out(`Stored ${r.name} version ${r.version}.`, r);
      return 0;
    }
    case 'get': {
      const version = ctx.flags.version;
      const r = await ctx.api('GET', path(need(name)) + (typeof version === 'string' ? `?version=${encodeURIComponent(version)}` : ''));
      if (ctx.flags.json) ctx.out('', r);
      else process.stdout.write(r.value + (process.stdout.isTTY ? '\n' : ''));
      return 0;
    }
    case 'list': {
      const r = await ctx.api('GET', `/v1/secrets${ctx.flags.due ? '?rotation=due' : ''}`);
      const rows = (r.items as { name: string; version: number; rotateBy: string | null; rotation: string }[]).map(
        (s) => `${s.name}  v${s.version}  ${s.rotation}${s.rotateBy ? ` (rotate by ${s.rotateBy})` : ''}`,
      );
      ctx.out(rows.length === 0 ? '(none)' : rows.join('\n'), r.items);
      return 0;
    }
    case 'rm': {
      await ctx.api('DELETE', path(need(name)));
      ctx.out(`Deleted ${name} and destroyed its versions.`, { name, deleted: true });
      return 0;
    }
    default:
      throw ctx.usage('usage: tessera secrets put|get|list|rm');
  }
}

/** `tessera audit verify|export`. */
export async function auditCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  if (sub === 'verify') {
    let report: AuditReport;
    if (flags.offline) {
      const config = ctx.config();
      const { store, keyring } = await openInstance(config);
      try {
        const pinned = new AuditPinFile(auditPinPath(config)).read()?.checkpoint;
        report = await verifyAuditLog({ store, keyring, clock: systemClock }, { pinned });
      } finally {
        await store.close();
        await keyring.close();
      }
    } else {
      report = (await ctx.api('GET', '/v1/audit/verify')) as AuditReport;
    }
    const signed = report.checkpoints
      ? ` ${report.checkpoints.checked} signed checkpoints hold; ${report.checkpoints.unsignedEntries} newest entries not yet under a checkpoint.`
      : '';
    ctx.out(
      report.ok
        ? `Audit chain intact: ${report.checked} entries verified.${signed}`
        : `Audit chain BROKEN at entry ${report.firstBadSeq} (${report.reason}); ${report.checked} entries before it verified.`,
      report,
    );
    return report.ok ? 0 : 1;
  }
  if (sub === 'export') {
    const from = typeof flags.from === 'string' ? Number(flags.from) : 1;
    if (!Number.isInteger(from) || from < 1) throw ctx.usage('--from must be a sequence number');
    if (flags.offline) {
      const { store, keyring } = await openInstance(ctx.config());
      try {
        await store.transaction((tx) =>
          appendAudit(tx, systemClock, CLI_ACTOR, { action: 'audit.exported', target: null, details: { fromSeq: from } }),
        );
        for await (const line of auditLines({ store }, from, flags.checkpoints === true)) {
          if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
        }
      } finally {
        await store.close();
        await keyring.close();
      }
      return 0;
    }
    const text = await ctx.api('GET', `/v1/audit/export?fromSeq=${from}${flags.checkpoints ? '&checkpoints=true' : ''}`);
    process.stdout.write(typeof text === 'string' ? text : '');
    return 0;
  }
  if (sub === 'public-key') {
    let jwks: { keys: { kid: string }[] };
    if (flags.offline) {
      // From the keyring itself: public halves of the decrypted private keys, not the database's copy.
      const { store, keyring } = await openInstance(ctx.config());
      try {
        jwks = await auditPublicJwks(await loadAuditSigningKeys(keyring, store, systemClock, false));
      } finally {
        await store.close();
        await keyring.close();
      }
    } else {
      jwks = await ctx.api('GET', AUDIT_KEYS_PATH);
    }
    if (flags.json) ctx.out('', jwks);
    else process.stdout.write(JSON.stringify(jwks, null, 2) + '\n');
    return 0;
  }
  throw ctx.usage(
    'usage: tessera audit verify [--offline] | audit export [--from SEQ] [--checkpoints] [--offline] | audit public-key [--offline]',
  );
}
