import { readFileSync } from 'node:fs';
import { list, need, table, UsageError, type CommandContext } from './context.js';

/**
 * `tessera oauth upstream …`: the workspace's upstream OpenID Providers. The client secret is read
 * from stdin, so that it stays out of shell history and the process list.
 */
export async function upstreamProviders(k: CommandContext): Promise<number> {
  const { flags } = k;
  const [action, id] = k.rest;
  switch (action) {
    case 'add': {
      const clientSecret = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (clientSecret === '') throw new UsageError('pipe the client secret on stdin: tessera oauth upstream add … < secret-file');
      const body: Record<string, unknown> = {
        name: need(flags.name, '--name'),
        issuer: need(flags.issuer, '--issuer'),
        clientId: need(flags['client-id'], '--client-id'),
        clientSecret,
      };
      if (flags.scopes) body.scopes = list(flags.scopes);
      if (flags['claim-mapping']) body.claimMapping = claimMapping(flags['claim-mapping']);
      const r = await k.api('POST', '/v1/oauth/upstream-providers', body);
      k.out(`Added upstream provider ${r.providerId} (${r.name}).\nRegister this redirect URI with it:\n\n  ${r.redirectUri}\n`, r);
      return 0;
    }
    case 'list': {
      const r = await k.api('GET', '/v1/oauth/upstream-providers');
      k.out(table(scopesJoined(r.items), ['providerId', 'name', 'issuer', 'clientId', 'scopes']), r);
      return 0;
    }
    case 'remove': {
      const pid = need(id, 'PROVIDER_ID');
      await k.api('DELETE', `/v1/oauth/upstream-providers/${encodeURIComponent(pid)}`);
      k.out(`Removed upstream provider ${pid}; the accounts linked to it are unlinked.`, { providerId: pid, deleted: true });
      return 0;
    }
    default:
      throw new UsageError('usage: tessera oauth upstream add|list|remove');
  }
}

/** Rows with their `scopes` as one space-separated string, for a table. */
export const scopesJoined = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, scopes: (r.scopes as string[]).join(' ') }));

/** `email=mail,name=displayName` → `{ email: 'mail', name: 'displayName' }`. */
function claimMapping(value: string): Record<string, string> {
  const fields: Record<string, string> = { email: 'email', 'email-verified': 'emailVerified', name: 'name' };
  const out: Record<string, string> = {};
  for (const pair of list(value) ?? []) {
    const [field, claim] = pair.split('=');
    const key = fields[field ?? ''];
    if (key === undefined || claim === undefined || claim === '')
      throw new UsageError('--claim-mapping takes email=CLAIM,email-verified=CLAIM,name=CLAIM');
    out[key] = claim;
  }
  return out;
}
