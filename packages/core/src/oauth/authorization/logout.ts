import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { verifyJws } from '../jws.js';
import { ID_TOKEN_ALGS, type OAuthClientRecord } from '../oauth-records.js';
import type { OAuthStore } from '../oauth-store.js';
import type { EndUserSessions } from '../people/end-user-sessions.js';
import type { SigningKeys } from '../signing-keys.js';
import type { MlDsa } from '../signing-workers.js';

export interface LogoutDeps {
  store: OAuthStore;
  clock: Clock;
  keys: SigningKeys;
  mlDsa: MlDsa;
  sessions: EndUserSessions;
}

/** A checked logout request: where to send the browser afterwards, if anywhere. */
export interface LogoutRequest {
  client: OAuthClientRecord | undefined;
  postLogoutRedirectUri: string | undefined;
  state: string | undefined;
}

export type LogoutCheck = { ok: true; request: LogoutRequest } | { ok: false; page: string };

const MAX_VALUE = 8192;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3). `id_token_hint` must be an
 * ID token this issuer signed (an expired one is accepted, §2); its `aud` names the client, and
 * `client_id`, when sent too, must be the same. `post_logout_redirect_uri` must be one the client
 * registered, compared as exact strings, and needs the client named; anything wrong is shown on a
 * page and never redirected (§3, §4). Signing out ends every sign-in of the user at Tessera.
 */
export class Logout {
  constructor(private readonly deps: LogoutDeps) {}

  async check(params: ReadonlyMap<string, readonly string[]>, issuer: string): Promise<LogoutCheck> {
    const refuse = (page: string): LogoutCheck => ({ ok: false, page });
    for (const [name, values] of params) {
      if (values.length > 1) return refuse(`The parameter ${name.slice(0, 64)} appears more than once.`);
      if (values[0]!.length > MAX_VALUE) return refuse('A parameter is too long.');
    }
    const one = (name: string) => (params.get(name)?.[0] === '' ? undefined : params.get(name)?.[0]);
    const hint = one('id_token_hint');
    let hinted: string | undefined;
    if (hint !== undefined) {
      hinted = await this.idTokenAudience(hint, issuer);
      if (hinted === undefined) return refuse('The sign-out request names an ID token that is not valid here.');
    }
    const clientId = one('client_id');
    if (clientId !== undefined && hinted !== undefined && clientId !== hinted)
      return refuse('The sign-out request names two different applications.');
    const id = clientId ?? hinted;
    const client = id === undefined || !/^cli_[0-9A-Za-z]{22}$/.test(id) ? undefined : await this.deps.store.getClient(id);
    if (id !== undefined && (client === undefined || client.deletedAt !== null))
      return refuse('The application that sent you here is not known.');
    const uri = one('post_logout_redirect_uri');
    if (uri !== undefined) {
      if (client === undefined) return refuse('The sign-out request names no application to return to.');
      if (!client.postLogoutRedirectUris.includes(uri)) return refuse('The address to return to is not one this application registered.');
    }
    return { ok: true, request: { client, postLogoutRedirectUri: uri, state: one('state') } };
  }

  /**
   * Signs out the user of a session cookie, if any: every sign-in of theirs made until now is
   * ended (the session cookie is also cleared by the caller). Audited.
   */
  async signOut(request: LogoutRequest, cookie: string | undefined, ip: string): Promise<void> {
    const session = this.deps.sessions.open(cookie);
    if (session === undefined) return;
    const user = await this.deps.store.getEndUser(session.userId);
    if (user === undefined || user.workspaceId !== session.workspaceId) return;
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.updateEndUser(user.id, { sessionsEndedAt: now, updatedAt: now });
      await appendAudit(
        tx,
        this.deps.clock,
        { id: `end_user:${user.id}`, workspaceId: user.workspaceId, ip },
        { action: 'end_user.signed_out', target: user.id, details: { clientId: request.client?.id ?? null } },
      );
    });
  }

  /** The `aud` of an ID token of this issuer, by signature and issuer; its expiry is not held against it (§2). */
  private async idTokenAudience(token: string, issuer: string): Promise<string | undefined> {
    let kid: unknown;
    try {
      kid = (JSON.parse(Buffer.from(token.split('.', 1)[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>).kid;
    } catch {
      return undefined;
    }
    const keys = await this.deps.keys.verificationKeys(kid);
    const outcome = await verifyJws(token, { algorithms: ID_TOKEN_ALGS, keys, typ: 'JWT', mlDsa: this.deps.mlDsa });
    if (!outcome.ok) return undefined;
    try {
      const c = JSON.parse(outcome.payload.toString('utf8')) as Record<string, unknown>;
      if (c === null || typeof c !== 'object' || c.iss !== issuer || typeof c.sub !== 'string' || typeof c.aud !== 'string')
        return undefined;
      return c.aud;
    } catch {
      return undefined;
    }
  }
}
