import { readFileSync } from 'node:fs';

/** What the CLI lends its subcommands: the API client, output and argument helpers. */
export interface CliKit {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
  api(method: string, path: string, body?: unknown): Promise<any>;
  out(human: string, json: unknown): void;
  need<T>(value: T | undefined, name: string): T;
  intFlag(name: string, value: string): number;
  table(rows: Record<string, unknown>[], cols: string[]): string;
  usage(message: string): Error;
  /** The server's base URL. */
  baseUrl: string;
}

export interface OAuthFlags {
  name?: string | undefined;
  scopes?: string | undefined;
  audience?: string | undefined;
  'grant-types'?: string | undefined;
  'auth-method'?: string | undefined;
  alg?: string | undefined;
  grace?: string | undefined;
  'client-id'?: string | undefined;
  limit?: string | undefined;
}

export const OAUTH_HELP = `  oauth clients create --name N --scopes a,b [--audience URL,…] [--grant-types g,…] [--auth-method M] [--alg EdDSA|ES256|RS256|ML-DSA-65]
  oauth clients list [--limit N]
  oauth clients rotate-secret CLIENT_ID [--grace SECONDS]
  oauth clients rm CLIENT_ID
  oauth token --client-id ID [--scopes a,b]   get an access token (client_credentials); the secret is read from stdin`;

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `tessera oauth …`: manage OAuth clients, and get a token to try them. */
export async function oauthCommand(sub: string | undefined, rest: string[], flags: OAuthFlags, k: CliKit): Promise<number> {
  if (sub === 'token') return token(flags, k);
  if (sub !== 'clients') throw k.usage('usage: tessera oauth clients create|list|rotate-secret|rm, or tessera oauth token');
  const [action, id] = rest;
  switch (action) {
    case 'create': {
      const body: Record<string, unknown> = { name: k.need(flags.name, '--name'), scopes: list(flags.scopes) ?? [] };
      if (flags.audience) body.audience = list(flags.audience);
      if (flags['grant-types']) body.grantTypes = list(flags['grant-types']);
      if (flags['auth-method']) body.tokenEndpointAuthMethod = flags['auth-method'];
      if (flags.alg) body.signingAlg = flags.alg;
      const r = await k.api('POST', '/v1/oauth/clients', body);
      k.out(
        `Created OAuth client ${r.clientId}.${r.clientSecret ? `\nClient secret, shown once — keep it safe:\n\n  ${r.clientSecret}\n` : ''}`,
        r,
      );
      return 0;
    }
    case 'list': {
      const r = await k.api('GET', `/v1/oauth/clients${flags.limit ? `?limit=${k.intFlag('limit', flags.limit)}` : ''}`);
      k.out(
        k.table(
          r.items.map((c: Record<string, unknown>) => ({ ...c, scopes: (c.scopes as string[]).join(' ') })),
          ['clientId', 'name', 'scopes', 'tokenEndpointAuthMethod', 'signingAlg'],
        ),
        r,
      );
      return 0;
    }
    case 'rotate-secret': {
      const grace = flags.grace === undefined ? 0 : k.intFlag('grace', flags.grace);
      const r = await k.api('POST', `/v1/oauth/clients/${encodeURIComponent(k.need(id, 'CLIENT_ID'))}/rotate-secret`, {
        gracePeriodSeconds: grace,
      });
      k.out(
        `New secret for ${r.clientId}, shown once:\n\n  ${r.clientSecret}\n\nThe previous secret ${grace > 0 ? `keeps working for ${grace} seconds` : 'no longer works'}.`,
        r,
      );
      return 0;
    }
    case 'rm': {
      const cid = k.need(id, 'CLIENT_ID');
      await k.api('DELETE', `/v1/oauth/clients/${encodeURIComponent(cid)}`);
      k.out(`Deleted OAuth client ${cid}.`, { clientId: cid, deleted: true });
      return 0;
    }
    default:
      throw k.usage('usage: tessera oauth clients create|list|rotate-secret|rm');
  }
}

async function token(flags: OAuthFlags, k: CliKit): Promise<number> {
  const clientId = k.need(flags['client-id'], '--client-id');
  const secret = readFileSync(0, 'utf8').trim();
  if (secret === '') throw k.usage('pipe the client secret on stdin (kept out of shell history and the process list)');
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
