import { readFileSync } from 'node:fs';
import { intFlag, list, listed, need, table, UsageError, type CommandContext } from './context.js';
import { scopesJoined, upstreamProviders } from './oauth-upstream.js';

/** `tessera oauth …`: manage OAuth clients, and get a token to try them. */
export async function oauthCommand(sub: string | undefined, k: CommandContext): Promise<number> {
  const { flags } = k;
  if (sub === 'token') return token(k);
  if (sub === 'signing-keys') return signingKeys(k);
  if (sub === 'upstream') return upstreamProviders(k);
  if (sub !== 'clients')
    throw new UsageError(
      'usage: tessera oauth clients create|list|rotate-secret|schedule|rm, tessera oauth signing-keys list|retire, tessera oauth upstream add|list|remove, or tessera oauth token',
    );
  const [action, id] = k.rest;
  switch (action) {
    case 'create': {
      const body: Record<string, unknown> = { name: need(flags.name, '--name'), scopes: list(flags.scopes) ?? [] };
      if (flags.audience) body.audience = list(flags.audience);
      if (flags['grant-types']) body.grantTypes = list(flags['grant-types']);
      if (flags['redirect-uris']) body.redirectUris = list(flags['redirect-uris']);
      if (flags['post-logout-redirect-uris']) body.postLogoutRedirectUris = list(flags['post-logout-redirect-uris']);
      if (flags['web-origins']) body.webOrigins = list(flags['web-origins']);
      if (flags['auth-method']) body.tokenEndpointAuthMethod = flags['auth-method'];
      if (flags.alg) body.signingAlg = flags.alg;
      if (flags['require-par']) body.requirePar = true;
      const r = await k.api('POST', '/v1/oauth/clients', body);
      k.out(
        `Created OAuth client ${r.clientId}.${r.clientSecret ? `\nClient secret, shown once — keep it safe:\n\n  ${r.clientSecret}\n` : ''}`,
        r,
      );
      return 0;
    }
    case 'list': {
      const r = await listed(k, `/v1/oauth/clients${flags.limit ? `?limit=${intFlag('limit', flags.limit)}` : ''}`);
      k.out(table(scopesJoined(r.items), ['clientId', 'name', 'scopes', 'tokenEndpointAuthMethod', 'signingAlg']), r);
      return 0;
    }
    case 'rotate-secret': {
      const grace = flags.grace === undefined ? undefined : intFlag('grace', flags.grace);
      const r = await k.api(
        'POST',
        `/v1/oauth/clients/${encodeURIComponent(need(id, 'CLIENT_ID'))}/rotate-secret`,
        grace === undefined ? {} : { gracePeriodSeconds: grace },
      );
      const kept =
        grace === undefined
          ? "keeps working for the schedule's overlap, if the client has one"
          : grace > 0
            ? `keeps working for ${grace} seconds`
            : 'no longer works';
      k.out(`New secret for ${r.clientId}, shown once:\n\n  ${r.clientSecret}\n\nThe previous secret ${kept}.`, r);
      return 0;
    }
    case 'schedule': {
      // The owner is told when the secret falls due; `rotate-secret` then keeps the overlap.
      const cid = need(id, 'CLIENT_ID');
      const every = flags.every === 'off' ? null : intFlag('every', need(flags.every, '--every DAYS (or off)'));
      const secretRotation =
        every === null
          ? null
          : { intervalDays: every, ...(flags.overlap === undefined ? {} : { overlapSeconds: intFlag('overlap', flags.overlap) }) };
      const r = await k.api('PATCH', `/v1/oauth/clients/${encodeURIComponent(cid)}`, { secretRotation });
      k.out(
        r.secretRotation === null
          ? `Client ${cid} has no secret-rotation schedule.`
          : `Client ${cid}: its secret falls due every ${r.secretRotation.intervalDays} days (next ${r.secretRotationDueAt}); rotate-secret keeps the old one ${r.secretRotation.overlapSeconds} seconds.`,
        r,
      );
      return 0;
    }
    case 'rm': {
      const cid = need(id, 'CLIENT_ID');
      await k.api('DELETE', `/v1/oauth/clients/${encodeURIComponent(cid)}`);
      k.out(`Deleted OAuth client ${cid}.`, { clientId: cid, deleted: true });
      return 0;
    }
    default:
      throw new UsageError('usage: tessera oauth clients create|list|rotate-secret|schedule|rm');
  }
}

/** `tessera oauth signing-keys list|retire KID [--reason TEXT]`. */
async function signingKeys(k: CommandContext): Promise<number> {
  const [action, kid] = k.rest;
  if (action === 'list') {
    const r = await k.api('GET', '/v1/oauth/signing-keys');
    k.out(table(r.items, ['kid', 'alg', 'state', 'activatesAt', 'retiresAt', 'expiresAt']), r);
    return 0;
  }
  if (action !== 'retire') throw new UsageError('usage: tessera oauth signing-keys list|retire KID [--reason TEXT]');
  const body = k.flags.reason === undefined ? {} : { reason: k.flags.reason };
  const r = await k.api('POST', `/v1/oauth/signing-keys/${encodeURIComponent(need(kid, 'KID'))}/retire`, body);
  k.out(
    `Retired signing key ${r.kid} (${r.state}): it is out of the JWKS and its tokens are refused.${r.successor ? `\nKey ${r.successor} signs from now on.` : ''}`,
    r,
  );
  return 0;
}

async function token(k: CommandContext): Promise<number> {
  const { flags } = k;
  const clientId = need(flags['client-id'], '--client-id');
  const secret = readFileSync(0, 'utf8').trim();
  if (secret === '') throw new UsageError('pipe the client secret on stdin (kept out of shell history and the process list)');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  const scopes = list(flags.scopes);
  if (scopes && scopes.length > 0) body.set('scope', scopes.join(' '));
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await fetch(`${k.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const data = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${String(data.error)}: ${String(data.error_description ?? res.statusText)}`);
  k.out(String(data.access_token), data);
  return 0;
}
