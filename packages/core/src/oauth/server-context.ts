import type { VerifyInput, VerifyResult } from '../api-keys/verify-result.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../console/password-hasher.js';
import type { SignInLimits } from './people/end-user-sign-in.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { authenticateClient, type ClientAuthDeps, type SecretMemory } from './client-auth.js';
import type { OAuthClientRepos } from './client-repos.js';
import { DpopNonces } from './dpop.js';
import { OAUTH_PATHS } from './metadata.js';
import type { OAuthClientRecord } from './oauth-records.js';
import type { OAuthStore } from './oauth-store.js';
import type { SigningKeys } from './signing-keys.js';
import type { MlDsa } from './signing-workers.js';
import type { TokenRequest } from './token-request.js';
import { OAuthError } from './oauth-error.js';
import { claimedClientId } from './client-auth.js';
import type { ClientAuthFailure } from '../anomaly/fleet-failure-options.js';
import { DEFAULT_WORKSPACE_ID } from '../root-keys/root-key-service.js';

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
  clients?: Pick<OAuthClientRepos, 'getClient' | 'listLiveClientSecrets'> | undefined;
  /** argon2id for end users' passwords (the console's hashing thread). */
  passwords: PasswordHasher;
  /** Throttle and audit budget of end users' failed sign-ins (default: the console's). */
  signInLimits?: SignInLimits | undefined;
  /** Seconds a device waits between polls of the device code grant (RFC 8628 §3.2; default 5). */
  devicePollInterval?: number | undefined;
  /** Digests of secrets that authenticated clients before (the client directory keeps them). */
  secretMemory?: SecretMemory | undefined;
  /** Told of every failed client authentication (the fleet-wide detector counts them); must not throw or wait. */
  onClientAuthFailure?: ((f: ClientAuthFailure) => void) | undefined;
}

/** What the endpoints and grants share: the dependencies, and what is made of them once. */
export interface ServerContext extends AuthorizationServerDeps {
  nonces: DpopNonces;
  clientAuth: ClientAuthDeps;
}

/** What an endpoint answers: a JSON body, and headers besides the ones every answer has. */
export interface EndpointAnswer<Body = Record<string, unknown>> {
  body: Body;
  /** 200 unless told (201 at the pushed authorization request endpoint). */
  status?: number;
  headers: Record<string, string>;
}

export function serverContext(deps: AuthorizationServerDeps): ServerContext {
  const clients = deps.clients ?? deps.store;
  return {
    ...deps,
    nonces: new DpopNonces(deps),
    clientAuth: {
      repos: {
        getClient: (id) => clients.getClient(id),
        listLiveClientSecrets: (id, now) => clients.listLiveClientSecrets(id, now),
        rememberOnce: (key, expiresAt, now) => deps.store.rememberOnce(key, expiresAt, now),
      },
      keyring: deps.keyring,
      clock: deps.clock,
      memory: deps.secretMemory,
    },
  };
}

/** An endpoint a client authenticates to, as the authorization server calls it. */
export type ClientEndpoint<Body> = (ctx: ServerContext, req: TokenRequest, issuer: string) => Promise<EndpointAnswer<Body>>;

/**
 * The endpoint at `path` that a client authenticates to before anything else (the token, device
 * authorization, pushed authorization request, introspection and revocation endpoints): `answer`
 * runs for the client authenticated.
 */
export function clientEndpoint<Body>(
  path: string,
  answer: (ctx: ServerContext, req: TokenRequest, client: OAuthClientRecord, issuer: string) => Promise<EndpointAnswer<Body>>,
): ClientEndpoint<Body> {
  return async (ctx, req, issuer) => answer(ctx, req, await authenticate(ctx, req, issuer, path), issuer);
}

/**
 * Authenticates the client of a request to an endpoint at `path`. A `private_key_jwt` assertion
 * may name the issuer, the token endpoint or the endpoint itself as its audience (RFC 7523 §3).
 */
async function authenticate(ctx: ServerContext, req: TokenRequest, issuer: string, path: string): Promise<OAuthClientRecord> {
  try {
    return await authenticateClient(req, [issuer, issuer + OAUTH_PATHS.token, issuer + path], ctx.clientAuth);
  } catch (err) {
    if (ctx.onClientAuthFailure !== undefined && err instanceof OAuthError && err.error === 'invalid_client')
      await reportFailure(ctx, req, path);
    throw err;
  }
}

/** Tells the detector of a failed client authentication: the client id it named, where, from where. */
async function reportFailure(ctx: ServerContext, req: TokenRequest, path: string): Promise<void> {
  const clientId = claimedClientId(req);
  // The client's workspace when it exists (the directory caches clients), else the default one.
  const client = clientId === null ? undefined : await ctx.clientAuth.repos.getClient(clientId).catch(() => undefined);
  ctx.onClientAuthFailure!({
    ts: ctx.clock.now(),
    workspaceId: client?.workspaceId ?? DEFAULT_WORKSPACE_ID,
    clientId,
    ip: req.ip,
    endpoint: path.slice(path.lastIndexOf('/') + 1),
  });
}
