import { appendAudit, systemClock } from '@tessera/core';
import { openInstance, PLAIN_PEPPER_NOTICE } from '../wiring/instance.js';
import { CLI_ACTOR, UsageError, type CommandContext } from './context.js';
import { progressOn } from './progress.js';

/** `tessera keyring …`: works on the instance itself, since the KEK never travels over the API. */
export async function keyringCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  if (sub !== 'rotate' && sub !== 'status')
    throw new UsageError('usage: tessera keyring rotate [--kek] [--data-keys] [--pepper] | keyring status');
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
      const progress = progressOn('re-wrapping keys', { show: 'count', quietBelow: 1000 });
      // With TESSERA_MASTER_KEY the new version is added to the variable by the operator: re-wrap under it.
      const r =
        keyring.kek.kind === 'env'
          ? { kekVersion: keyring.kek.currentVersion(), rewrapped: await keyring.rewrapAll(progress) }
          : await keyring.rotateKek(progress);
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
