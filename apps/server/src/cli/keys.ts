import { readFileSync } from 'node:fs';
import { intFlag, list, listed, need, table, UsageError, type CommandContext } from './context.js';
import { keysDue } from './keys-due.js';

/** `tessera keys …`, over the API. */
export async function keysCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  const id = ctx.rest[0];
  switch (sub) {
    case 'create': {
      const body: Record<string, unknown> = { keyspaceId: need(flags.keyspace, '--keyspace') };
      if (flags.owner) body.ownerId = flags.owner;
      if (flags.name) body.name = flags.name;
      if (flags.scopes) body.scopes = list(flags.scopes);
      if (flags.ttl) body.ttlSeconds = intFlag('ttl', flags.ttl);
      const r = await ctx.api('POST', '/v1/keys', body);
      out(`Created key ${r.keyId}. The key is shown once, now:\n\n  ${r.key}\n`, r);
      return 0;
    }
    case 'list': {
      const q = new URLSearchParams({ keyspaceId: need(flags.keyspace, '--keyspace') });
      if (flags.owner) q.set('ownerId', flags.owner);
      if (flags.limit) q.set('limit', String(intFlag('limit', flags.limit)));
      const r = await listed(ctx, `/v1/keys?${q}`);
      out(table(r.items, ['keyId', 'start', 'ownerId', 'name', 'enabled', 'expiresAt', 'rotationDueAt', 'revokedAt']), r);
      return 0;
    }
    case 'due':
      return keysDue(ctx);
    case 'get': {
      const r = await ctx.api('GET', `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}`);
      out(JSON.stringify(r, null, 2), r);
      return 0;
    }
    case 'roll': {
      const body: Record<string, unknown> = { gracePeriodSeconds: intFlag('grace', need(flags.grace, '--grace')) };
      if (flags['retire-when-unused']) body.retireWhenUnused = true;
      if (flags.quiet) body.quietPeriodSeconds = intFlag('quiet', flags.quiet);
      const r = await ctx.api('POST', `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}/roll`, body);
      const old = flags['retire-when-unused']
        ? `The old key keeps working until the new one is in use and the old one is quiet, ${flags.grace} seconds at most: tessera keys rollover ${id}`
        : `The old key keeps working for ${flags.grace} seconds.`;
      out(`Rolled: the new key ${r.keyId} is shown once, now:\n\n  ${r.key}\n\n${old}`, r);
      return 0;
    }
    case 'rollover': {
      const r = await ctx.api('GET', `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}/rollover`);
      out(table([r], ['predecessorKeyId', 'successorKeyId', 'state', 'predecessorLastUsedAt', 'retiresAt', 'retiredReason']), r);
      return 0;
    }
    case 'rollovers': {
      const q = new URLSearchParams();
      if (flags.keyspace) q.set('keyspaceId', flags.keyspace);
      if (flags.open) q.set('state', 'open');
      const r = await ctx.api('GET', `/v1/rollovers?${q}`);
      out(table(r.items, ['predecessorKeyId', 'successorKeyId', 'state', 'predecessorLastUsedAt', 'retiresAt', 'retiredReason']), r);
      return 0;
    }
    case 'revoke': {
      const r = await ctx.api(
        'POST',
        `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}/revoke`,
        flags.reason ? { reason: flags.reason } : {},
      );
      out(`Revoked key ${r.keyId} at ${r.revokedAt}.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera keys create|list|due|get|roll|rollover|rollovers|revoke');
  }
}

/** `tessera verify`: the key is read from stdin, so it stays out of shell history. */
export async function verifyCommand(arg: string | undefined, ctx: CommandContext): Promise<number> {
  const key = (ctx.rest.length > 0 || arg !== undefined ? (arg ?? '') : readFileSync(0, 'utf8')).trim();
  if (arg !== undefined)
    process.stderr.write('tessera: warning: a key given as an argument stays in your shell history; pipe it on stdin instead.\n');
  const r = await ctx.api('POST', '/v1/keys/verify', { key, ...(ctx.flags.scopes && { scopes: ctx.flags.scopes }) });
  ctx.out(r.valid ? `VALID — key ${r.keyId}${r.ownerId ? ` of ${r.ownerId}` : ''}` : `${r.code}${r.keyId ? ` — key ${r.keyId}` : ''}`, r);
  return r.valid ? 0 : 1;
}
