import type { AuditReport } from '@tessera/api';
import { appendAudit, auditPublicJwks, AuditPinFile, loadAuditSigningKeys, systemClock, verifyAuditLog } from '@tessera/core';
import { AUDIT_KEYS_PATH, auditLines } from '../audit/audit-export.js';
import { auditPinPath, openInstance } from '../wiring/instance.js';
import { CLI_ACTOR, UsageError, type CommandContext } from './context.js';

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
    if (!Number.isInteger(from) || from < 1) throw new UsageError('--from must be a sequence number');
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
  throw new UsageError(
    'usage: tessera audit verify [--offline] | audit export [--from SEQ] [--checkpoints] [--offline] | audit public-key [--offline]',
  );
}
