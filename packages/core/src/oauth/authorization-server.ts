import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { generateKey, parseKey } from '../api-keys/key-format.js';
import type { VerifyInput, VerifyResult } from '../api-keys/verify-result.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { scopeGrants } from '../scopes/scope-expression.js';
import { authenticateClient, type ClientRepos, type SecretMemory } from './client-auth.js';
import { CLIENT_ASSERTION_ALGS } from './client-service.js';
import { DPOP_ALGS, DpopNonces, verifyDpopProof } from './dpop.js';
import { grantScopes } from './grant-scopes.js';
import { newJti } from './jti.js';
import { verifyJws } from './jws.js';
import type { MlDsa } from './signing-workers.js';
import { OAuthError } from './oauth-error.js';
import {
  ALL_GRANT_TYPES,
  GRANT_TYPES,
  SIGNING_ALGS,
  type OAuthClientRecord,
  type RefreshTokenRecord,
  type TokenFamilyRecord,
} from './oauth-records.js';
import type { OAuthRepos, OAuthStore } from './oauth-store.js';
import type { SigningKeys } from './signing-keys.js';
import { familyEnd, KEY_GONE, refreshGrant } from './refresh-policy.js';
import { param, type TokenRequest } from './token-request.js';

export const API_KEY_TOKEN_TYPE = 'urn:tessera:token-type:api-key';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ACCESS_TOKEN_PREFIX = 'tessera_at';
export const REFRESH_TOKEN_PREFIX = 'tessera_rt';

/** Paths of the endpoints under the issuer. */
export const OAUTH_PATHS = {
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  metadata: '/.well-known/oauth-authorization-server',
} as const;

const SKEW_S = 30;

export interface EndpointAnswer {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface AuthorizationServerDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  keys: SigningKeys;
  mlDsa: MlDsa;
  /** Verification of API keys, for token exchange. */
  verifyApiKey: (input: VerifyInput) => VerifyResult | Promise<VerifyResult>;
  /**
   * Checks the exchanged API key again on every refresh, by its id, as a use of the key: its state,
   * IP allowlist (against the refreshing caller), rate limits and one credit.
   */
  checkApiKey: (keyId: string, input: Omit<VerifyInput, 'key'>) => Promise<VerifyResult>;
  /** Clients as client authentication reads them; the store itself when not given. */
  clients?: Pick<OAuthRepos, 'getClient' | 'listLiveClientSecrets'> | undefined;
  /** Digests of secrets that authenticated clients before (the client directory keeps them). */
  secretMemory?: SecretMemory | undefined;
}

/** Claims of a Tessera access token (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  /** The workspace of the client the token was issued to: resource servers pin it (see docs/oauth.md). */
  workspace_id: string;
  scope: string;
  cnf?: { jkt: string };
}

/**
 * The OAuth 2.0 authorization server for machines: the token endpoint (client credentials, token
 * exchange of API keys, rotating refresh tokens), introspection, revocation and metadata. It speaks
 * in parsed form parameters and answers with bodies and headers; the HTTP layer only carries them.
 */
export class AuthorizationServer {
  readonly nonces: DpopNonces;

  private readonly clientAuth: { repos: ClientRepos; keyring: Keyring; clock: Clock; memory: SecretMemory | undefined };

  constructor(private readonly deps: AuthorizationServerDeps) {
    this.nonces = new DpopNonces(deps);
    const clients = deps.clients ?? deps.store;
    const repos: ClientRepos = {
      getClient: (id) => clients.getClient(id),
      listLiveClientSecrets: (id, now) => clients.listLiveClientSecrets(id, now),
      rememberOnce: (key, expiresAt, now) => deps.store.rememberOnce(key, expiresAt, now),
    };
    this.clientAuth = { repos, keyring: deps.keyring, clock: deps.clock, memory: deps.secretMemory };
  }

  /** RFC 8414 metadata. */
  metadata(issuer: string): Record<string, unknown> {
    const authMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
    return {
      issuer,
      token_endpoint: issuer + OAUTH_PATHS.token,
      jwks_uri: issuer + OAUTH_PATHS.jwks,
      introspection_endpoint: issuer + OAUTH_PATHS.introspection,
      revocation_endpoint: issuer + OAUTH_PATHS.revocation,
      grant_types_supported: Object.values(GRANT_TYPES),
      response_types_supported: [],
      token_endpoint_auth_methods_supported: authMethods,
      token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
      introspection_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
      revocation_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
      access_token_signing_alg_values_supported: [...SIGNING_ALGS],
      dpop_signing_alg_values_supported: [...DPOP_ALGS],
      token_types_supported: [ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE],
    };
  }

  /** The token endpoint (RFC 6749 §3.2). */
  async token(req: TokenRequest, issuer: string): Promise<EndpointAnswer> {
    const client = await this.authenticate(req, issuer, issuer + OAUTH_PATHS.token);
    const grantType = param(req, 'grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing.');
    if (!(ALL_GRANT_TYPES as readonly string[]).includes(grantType))
      throw new OAuthError('unsupported_grant_type', 'This grant type is not supported.');
    if (!(client.grantTypes as string[]).includes(grantType))
      throw new OAuthError('unauthorized_client', 'This client may not use this grant type.');
    const headers: Record<string, string> = {};
    if (client.dpopNonce) headers['dpop-nonce'] = this.nonces.current();
    const jkt = await this.dpop(req, client, issuer + OAUTH_PATHS.token);
    let body: Record<string, unknown>;
    switch (grantType) {
      case GRANT_TYPES.clientCredentials:
        body = await this.clientCredentials(req, client, issuer, jkt);
        break;
      case GRANT_TYPES.tokenExchange:
        body = await this.tokenExchange(req, client, issuer, jkt);
        break;
      default:
        body = await this.refresh(req, client, issuer, jkt);
    }
    return { body, headers };
  }

  /** Token introspection (RFC 7662): `{active: false}` for anything not a live token of this workspace. */
  async introspect(req: TokenRequest, issuer: string): Promise<EndpointAnswer> {
    const client = await this.authenticate(req, issuer, issuer + OAUTH_PATHS.introspection);
    const token = param(req, 'token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is missing.');
    const inactive = { body: { active: false }, headers: {} };
    const found = await this.lookup(token, issuer);
    if (found === undefined) return inactive;
    const owner = found.clientId === client.id ? client : await this.deps.store.getClient(found.clientId);
    if (owner === undefined || owner.deletedAt !== null || owner.workspaceId !== client.workspaceId) return inactive;
    return { body: { active: true, ...found.describe }, headers: {} };
  }

  /** Token revocation (RFC 7009): 200 for unknown and already invalid tokens alike. */
  async revoke(req: TokenRequest, issuer: string): Promise<EndpointAnswer> {
    const client = await this.authenticate(req, issuer, issuer + OAUTH_PATHS.revocation);
    const token = param(req, 'token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is missing.');
    const found = await this.lookup(token, issuer);
    if (found === undefined) return { body: {}, headers: {} };
    if (found.clientId !== client.id) throw new OAuthError('invalid_request', 'This token was not issued to this client.');
    const now = this.deps.clock.now();
    if (found.kind === 'refresh_token') {
      await this.revokeFamily(found.familyId!, 'revoked_by_client', actorOf(client, req));
    } else if (found.kind === 'opaque') {
      await this.deps.store.revokeOpaqueToken(found.hash!, now);
    } else {
      // Revocation keys on the jti, never on the token's bytes: any encoding of it stays revoked.
      await this.deps.store.revokeJti(found.jti!, found.exp! * 1000);
    }
    return { body: {}, headers: {} };
  }

  /**
   * Verifies a JWT access token of this issuer: signature by a published key (kid looked up, never
   * followed), `typ` at+jwt, `iss`, times, that its `jti` was not revoked, and — when given, as a
   * resource server must (RFC 9068 §4) — that `aud` names `audience`.
   */
  async verifyAccessToken(token: string, issuer: string, audience?: string): Promise<AccessTokenClaims | undefined> {
    const head = token.split('.', 1)[0] ?? '';
    let kid: unknown;
    try {
      kid = (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>).kid;
    } catch {
      return undefined;
    }
    const keys = await this.deps.keys.verificationKeys(kid);
    const outcome = await verifyJws(token, { algorithms: SIGNING_ALGS, keys, typ: 'at+jwt', mlDsa: this.deps.mlDsa });
    if (!outcome.ok) return undefined;
    let c: Record<string, unknown>;
    try {
      c = JSON.parse(outcome.payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
    const now = this.deps.clock.now() / 1000;
    if (c.iss !== issuer) return undefined;
    if (typeof c.exp !== 'number' || c.exp <= now) return undefined;
    if (typeof c.iat !== 'number' || c.iat > now + SKEW_S) return undefined;
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + SKEW_S)) return undefined;
    if (typeof c.jti !== 'string' || typeof c.client_id !== 'string' || typeof c.sub !== 'string') return undefined;
    if (typeof c.aud !== 'string' && !(Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string'))) return undefined;
    if (audience !== undefined && !(c.aud === audience || (Array.isArray(c.aud) && c.aud.includes(audience)))) return undefined;
    if (await this.deps.store.isJtiRevoked(c.jti, this.deps.clock.now())) return undefined;
    return c as unknown as AccessTokenClaims;
  }

  // ——— grants ———

  private async clientCredentials(req: TokenRequest, client: OAuthClientRecord, issuer: string, jkt: string | undefined) {
    const scope = grantScopes(param(req, 'scope'), [client.scopes]);
    const aud = this.audience(req, client, issuer);
    // RFC 6749 §4.4.3: no refresh token for client credentials.
    return this.accessToken(client, issuer, { sub: client.id, scope, aud, jkt });
  }

  private async tokenExchange(req: TokenRequest, client: OAuthClientRecord, issuer: string, jkt: string | undefined) {
    const subjectToken = param(req, 'subject_token');
    const subjectType = param(req, 'subject_token_type');
    if (subjectToken === undefined || subjectType === undefined)
      throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required.');
    if (subjectType !== API_KEY_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${API_KEY_TOKEN_TYPE}.`);
    if (param(req, 'actor_token') !== undefined || param(req, 'actor_token_type') !== undefined)
      throw new OAuthError('invalid_request', 'Delegation with actor_token is not supported.');
    const requested = param(req, 'requested_token_type');
    if (
      requested !== undefined &&
      requested !== ACCESS_TOKEN_TYPE &&
      !(requested === JWT_TOKEN_TYPE && client.accessTokenFormat === 'jwt')
    ) {
      throw new OAuthError('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}.`);
    }
    // RFC 8693 §2.2.2: an unacceptable subject_token is invalid_request. Exchanging spends one credit.
    const v = await this.deps.verifyApiKey({ key: subjectToken, workspaceId: client.workspaceId, ip: req.ip, cost: 1 });
    if (!v.valid || v.keyId === undefined) throw new OAuthError('invalid_request', `The subject_token is not a valid API key (${v.code}).`);
    const keyScopes = v.scopes ?? [];
    const asked = param(req, 'scope');
    const scope =
      asked === undefined
        ? keyScopes.filter((s) => client.scopes.some((c) => scopeGrants(c, s)))
        : grantScopes(asked, [keyScopes, client.scopes]);
    const aud = this.audience(req, client, issuer);
    const sub = v.ownerId ?? `key:${v.keyId}`;
    const body = await this.accessToken(client, issuer, { sub, scope, aud, jkt });
    body.issued_token_type = ACCESS_TOKEN_TYPE;
    if (client.grantTypes.includes(GRANT_TYPES.refreshToken)) {
      const now = this.deps.clock.now();
      const family: TokenFamilyRecord = {
        id: newId('tokenFamily', now),
        workspaceId: client.workspaceId,
        clientId: client.id,
        subject: sub,
        apiKeyId: v.keyId,
        scope,
        audience: aud,
        createdAt: now,
        revokedAt: null,
        revokeReason: null,
      };
      const rt = this.newRefreshToken(family.id, client, now, familyEnd(family, client));
      await this.deps.store.transaction(async (tx) => {
        await tx.insertFamily(family);
        await tx.insertRefreshToken(rt.record);
      });
      body.refresh_token = rt.token;
    }
    return body;
  }

  /**
   * Refresh (RFC 6749 §6) with rotation: every use returns a new refresh token and spends the old
   * one. A spent token presented again means two parties hold it; the whole family is revoked
   * (RFC 9700 §4.14.2), in the same transaction that notices it. A client may opt into a grace
   * window of up to 10 s in which the immediately previous token may be retried once more.
   */
  private async refresh(req: TokenRequest, client: OAuthClientRecord, issuer: string, jkt: string | undefined) {
    const presented = param(req, 'refresh_token');
    if (presented === undefined) throw new OAuthError('invalid_request', 'refresh_token is missing.');
    const invalid = new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
    if (parseKey(presented)?.prefix !== REFRESH_TOKEN_PREFIX) throw invalid;
    const found = await this.findRefreshToken(presented);
    if (found === undefined) throw invalid;
    const family = await this.deps.store.getFamily(found.familyId);
    if (family === undefined || family.clientId !== client.id) throw invalid;
    const now = this.deps.clock.now();
    if (family.revokedAt !== null || found.expiresAt <= now) throw invalid;
    // The absolute lifetime, as the client says now: rotation never makes a grant immortal.
    const end = familyEnd(family, client);
    if (now >= end) throw invalid;
    const actor = actorOf(client, req);
    // A token spent beyond any grace goes straight to reuse detection: nothing is checked or spent for it.
    const spent = found.usedAt !== null && now - found.usedAt > client.refreshGraceSeconds * 1000;
    let grant: { scope: string[]; aud: string[] } | undefined;
    if (!spent) {
      let keyScopes: string[] | undefined;
      if (family.apiKeyId !== null) {
        // A refresh is a use of the exchanged key: its allowlist, limits and one credit, as it stands now.
        const v = await this.deps.checkApiKey(family.apiKeyId, {
          workspaceId: family.workspaceId,
          ip: req.ip,
          cost: 1,
          resource: OAUTH_PATHS.token,
          method: 'POST',
        });
        if (!v.valid) {
          if (KEY_GONE.has(v.code)) await this.revokeFamily(family.id, 'api_key_no_longer_valid', actor);
          throw new OAuthError('invalid_grant', `The API key behind this grant cannot be used now (${v.code}).`);
        }
        keyScopes = v.scopes ?? [];
      }
      grant = refreshGrant(param(req, 'scope'), family, client, keyScopes, issuer);
    }
    const next = this.newRefreshToken(family.id, client, now, end);
    const outcome = await this.deps.store.transaction(async (tx): Promise<'rotated' | 'reused'> => {
      const current = await tx.getRefreshToken(found.id);
      if (current === undefined) return 'reused';
      if (current.usedAt === null) {
        if (!(await tx.markRefreshTokenUsed(current.id, now, next.record.id))) return this.reuse(tx, family, actor, 'concurrent_use');
        await tx.insertRefreshToken(next.record);
        return 'rotated';
      }
      // Spent already. Within the grace window, the immediately previous token may be retried once
      // more, provided its successor has not been used: the successor is spent in its place.
      const graceMs = client.refreshGraceSeconds * 1000;
      if (graceMs > 0 && now - current.usedAt <= graceMs && current.replacedById !== null) {
        const successor = await tx.getRefreshToken(current.replacedById);
        if (successor !== undefined && successor.usedAt === null && (await tx.markRefreshTokenUsed(successor.id, now, next.record.id))) {
          await tx.insertRefreshToken(next.record);
          return 'rotated';
        }
      }
      return this.reuse(tx, family, actor, 'refresh_token_reused');
    });
    if (outcome === 'reused' || grant === undefined)
      throw new OAuthError('invalid_grant', 'The refresh token was already used; the grant is revoked.');
    const body = await this.accessToken(client, issuer, { sub: family.subject, scope: grant.scope, aud: grant.aud, jkt });
    body.refresh_token = next.token;
    return body;
  }

  private async reuse(
    tx: Parameters<Parameters<OAuthStore['transaction']>[0]>[0],
    family: TokenFamilyRecord,
    actor: Actor,
    reason: string,
  ): Promise<'reused'> {
    if (await tx.revokeFamily(family.id, this.deps.clock.now(), reason)) {
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_token_family.revoked',
        target: family.id,
        details: { reason, clientId: family.clientId, subject: family.subject },
      });
    }
    return 'reused';
  }

  // ——— pieces ———

  private authenticate(req: TokenRequest, issuer: string, endpoint: string): Promise<OAuthClientRecord> {
    return authenticateClient(req, [issuer, issuer + OAUTH_PATHS.token, endpoint], this.clientAuth);
  }

  private async dpop(req: TokenRequest, client: OAuthClientRecord, url: string): Promise<string | undefined> {
    if (req.dpop.length === 0) {
      if (client.dpopBound) throw new OAuthError('invalid_dpop_proof', 'This client must send a DPoP proof.');
      return undefined;
    }
    const { jkt } = await verifyDpopProof(
      req.dpop,
      { method: req.method, url, nonces: client.dpopNonce ? this.nonces : undefined },
      { repos: this.deps.store, clock: this.deps.clock },
    );
    return jkt;
  }

  /** `audience` (RFC 8693) or `resource` (RFC 8707) values, each one the client may name. */
  private audience(req: TokenRequest, client: OAuthClientRecord, issuer: string): string[] {
    const allowed = client.audience.length > 0 ? client.audience : [issuer];
    const asked = [...(req.params.get('audience') ?? []), ...(req.params.get('resource') ?? [])];
    if (asked.length === 0) return [allowed[0]!];
    for (const a of asked)
      if (!allowed.includes(a)) throw new OAuthError('invalid_target', 'This client may not request a token for that audience.');
    return [...new Set(asked)];
  }

  private async accessToken(
    client: OAuthClientRecord,
    issuer: string,
    g: { sub: string; scope: string[]; aud: string[]; jkt: string | undefined },
  ): Promise<Record<string, unknown>> {
    const now = this.deps.clock.now();
    const iat = Math.floor(now / 1000);
    const exp = iat + client.accessTokenTtl;
    const jti = newJti();
    let token: string;
    if (client.accessTokenFormat === 'opaque') {
      token = generateKey(ACCESS_TOKEN_PREFIX);
      await this.deps.store.insertOpaqueToken({
        hash: this.deps.keyring.hash('access_token', token),
        jti,
        workspaceId: client.workspaceId,
        clientId: client.id,
        subject: g.sub,
        scope: g.scope,
        audience: g.aud,
        jkt: g.jkt ?? null,
        issuedAt: now,
        expiresAt: exp * 1000,
        revokedAt: null,
      });
    } else {
      const claims: AccessTokenClaims = {
        iss: issuer,
        sub: g.sub,
        aud: g.aud.length === 1 ? g.aud[0]! : g.aud,
        exp,
        iat,
        jti,
        client_id: client.id,
        workspace_id: client.workspaceId,
        scope: g.scope.join(' '),
      };
      if (g.jkt !== undefined) claims.cnf = { jkt: g.jkt };
      token = await this.deps.keys.signJwt(client.signingAlg, 'at+jwt', claims as unknown as Record<string, unknown>);
    }
    return {
      access_token: token,
      token_type: g.jkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: client.accessTokenTtl,
      scope: g.scope.join(' '),
    };
  }

  /** A refresh token of a family; it never outlives the family's absolute end. */
  private newRefreshToken(
    familyId: string,
    client: OAuthClientRecord,
    now: number,
    end: number,
  ): { token: string; record: RefreshTokenRecord } {
    const token = generateKey(REFRESH_TOKEN_PREFIX);
    return {
      token,
      record: {
        id: newId('refreshToken', now),
        familyId,
        hash: this.deps.keyring.hash('refresh_token', token),
        createdAt: now,
        expiresAt: Math.min(now + client.refreshTokenTtl * 1000, end),
        usedAt: null,
        replacedById: null,
      },
    };
  }

  private async findRefreshToken(token: string): Promise<RefreshTokenRecord | undefined> {
    for (const v of this.deps.keyring.pepperVersions) {
      const found = await this.deps.store.findRefreshTokenByHash(this.deps.keyring.hash('refresh_token', token, v));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private async revokeFamily(id: string, reason: string, actor: Actor): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const family = await tx.getFamily(id);
      if (family !== undefined) await this.reuse(tx, family, actor, reason);
    });
  }

  /** Finds what a token string is, and whether it is live. */
  private async lookup(
    token: string,
    issuer: string,
  ): Promise<
    | {
        kind: 'jwt' | 'opaque' | 'refresh_token';
        clientId: string;
        jti?: string;
        exp?: number;
        hash?: string;
        familyId?: string;
        describe: Record<string, unknown>;
      }
    | undefined
  > {
    const now = this.deps.clock.now();
    const parsed = parseKey(token);
    if (parsed?.prefix === ACCESS_TOKEN_PREFIX) {
      for (const v of this.deps.keyring.pepperVersions) {
        const hash = this.deps.keyring.hash('access_token', token, v);
        const t = await this.deps.store.findOpaqueToken(hash);
        if (t === undefined) continue;
        if (t.revokedAt !== null || t.expiresAt <= now || (await this.deps.store.isJtiRevoked(t.jti, now))) return undefined;
        const exp = Math.floor(t.expiresAt / 1000);
        return {
          kind: 'opaque',
          clientId: t.clientId,
          hash,
          jti: t.jti,
          exp,
          describe: {
            scope: t.scope.join(' '),
            client_id: t.clientId,
            workspace_id: t.workspaceId,
            sub: t.subject,
            aud: t.audience.length === 1 ? t.audience[0] : t.audience,
            iss: issuer,
            exp,
            iat: Math.floor(t.issuedAt / 1000),
            jti: t.jti,
            token_type: t.jkt === null ? 'Bearer' : 'DPoP',
            ...(t.jkt !== null && { cnf: { jkt: t.jkt } }),
          },
        };
      }
      return undefined;
    }
    if (parsed?.prefix === REFRESH_TOKEN_PREFIX) {
      const rt = await this.findRefreshToken(token);
      if (rt === undefined || rt.usedAt !== null || rt.expiresAt <= now) return undefined;
      const family = await this.deps.store.getFamily(rt.familyId);
      if (family === undefined || family.revokedAt !== null) return undefined;
      return {
        kind: 'refresh_token',
        clientId: family.clientId,
        familyId: family.id,
        describe: {
          scope: family.scope.join(' '),
          client_id: family.clientId,
          workspace_id: family.workspaceId,
          sub: family.subject,
          iss: issuer,
          exp: Math.floor(rt.expiresAt / 1000),
          iat: Math.floor(rt.createdAt / 1000),
          token_type: 'refresh_token',
        },
      };
    }
    const c = await this.verifyAccessToken(token, issuer);
    if (c === undefined) return undefined;
    return {
      kind: 'jwt',
      clientId: c.client_id,
      jti: c.jti,
      exp: c.exp,
      describe: {
        scope: c.scope,
        client_id: c.client_id,
        ...(typeof c.workspace_id === 'string' && { workspace_id: c.workspace_id }),
        sub: c.sub,
        aud: c.aud,
        iss: c.iss,
        exp: c.exp,
        iat: c.iat,
        jti: c.jti,
        token_type: c.cnf ? 'DPoP' : 'Bearer',
        ...(c.cnf && { cnf: c.cnf }),
      },
    };
  }
}

function actorOf(client: OAuthClientRecord, req: TokenRequest): Actor {
  return { id: `oauth_client:${client.id}`, workspaceId: client.workspaceId, ip: req.ip };
}
