import type { ServerContext } from '../server-context.js';

/** What a browser page may send to the endpoints that answer CORS requests, and read back. */
export const CORS_POLICY = {
  /** Request headers a preflight may ask for, besides the CORS-safelisted ones (Fetch §3.2.2). */
  allowHeaders: ['Authorization', 'Content-Type', 'DPoP'],
  /** Response headers a page may read, besides the safelisted ones (Fetch §3.2.4). */
  exposeHeaders: ['DPoP-Nonce', 'WWW-Authenticate'],
  /** Seconds a browser may keep a preflight's answer. */
  maxAge: 600,
} as const;

/**
 * Whether a page of `origin` may read an endpoint's answer (the Fetch standard's CORS protocol).
 * For a request that names its client (`client_id`, or the user part of Basic), that client must
 * have registered the origin; a preflight or a request naming none (userinfo) needs a live client of
 * any workspace to have registered it. Credentials are never allowed: the endpoints take none.
 */
export async function webOriginAllowed(ctx: ServerContext, origin: string, clientId: string | undefined): Promise<boolean> {
  if (origin.length > 512 || origin === 'null') return false;
  if (clientId === undefined) return ctx.store.webOriginRegistered(origin);
  if (clientId.length > 128) return false;
  const client = await ctx.clientAuth.repos.getClient(clientId);
  return client !== undefined && client.deletedAt === null && client.webOrigins.includes(origin);
}
