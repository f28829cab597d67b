import {
  AuthorizationServer,
  ClientDirectory,
  DEFAULT_SIGNING_KEY_POLICY,
  EndUserService,
  UserGrants,
  UpstreamProviders,
  every,
  noticeDueSecrets,
  SigningWorkers,
  OAuthClientService,
  SigningKeys,
  type Actor,
  type Clock,
  type InvalidationBus,
  type KeyVerifier,
  type Keyring,
  type OAuthStore,
  type PasswordHasher,
  type SigningKeyPolicy,
  type Ticker,
  type ClientAuthFailure,
} from '@tessera/core';

export interface OAuthServiceOptions {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  verifier: KeyVerifier;
  /** argon2id for end users' passwords: the console's hashing thread. */
  passwords: PasswordHasher;
  /** Throttle and audit budget of end users' failed sign-ins: the console's. */
  signInLimits?: { perNetwork: number; windowMs: number; auditBudget: number } | undefined;
  signingKeys?: SigningKeyPolicy | undefined;
  /** Carries client changes to every node's client directory. */
  bus?: InvalidationBus | undefined;
  /** A failed hourly maintenance step (signing-key rotation, purge). */
  onError?: ((err: unknown) => void) | undefined;
  /** Told of each failed client authentication (the fleet-wide detector counts them). */
  onClientAuthFailure?: ((f: ClientAuthFailure) => void) | undefined;
}

export type OAuthServices = ReturnType<typeof createOAuthServices>;

/** Wires the authorization server: its store, signing keys, signing workers (ML-DSA, RSA), clients and endpoints. */
export function createOAuthServices(o: OAuthServiceOptions) {
  const store = o.store;
  const workers = new SigningWorkers(2);
  const keys = new SigningKeys(
    { store, keyring: o.keyring, clock: o.clock, mlDsa: workers, rsa: workers },
    o.signingKeys ?? DEFAULT_SIGNING_KEY_POLICY,
  );
  const clients = new OAuthClientService({ store, keyring: o.keyring, clock: o.clock, keys, bus: o.bus });
  const directory = new ClientDirectory(store, o.clock);
  o.bus?.subscribe((m) => {
    if (m.kind === 'all') directory.clear();
    else if (m.kind === 'oauth_client') directory.invalidate(m.id);
    // A retired signing key leaves every node's JWKS and verification at once, not at the next 30-second read.
    if (m.kind === 'all' || m.kind === 'oauth_signing_key') void keys.reload(true).catch((err: unknown) => o.onError?.(err));
  });
  const server = new AuthorizationServer({
    store,
    keyring: o.keyring,
    clock: o.clock,
    keys,
    mlDsa: workers,
    verifyApiKey: (input) => o.verifier.verify(input),
    checkApiKey: (keyId, input) => o.verifier.verifyById(keyId, input),
    clients: directory,
    secretMemory: directory,
    onClientAuthFailure: o.onClientAuthFailure,
    passwords: o.passwords,
    signInLimits: o.signInLimits,
  });
  const users = new EndUserService({ store, clock: o.clock, passwords: o.passwords });
  const userGrants = new UserGrants({ store, clock: o.clock });
  const upstreamProviders = new UpstreamProviders({ store, keyring: o.keyring, clock: o.clock, discovery: server.discovery });
  let upkeep: Ticker | undefined;
  return {
    store,
    keys,
    clients,
    directory,
    server,
    users,
    userGrants,
    upstreamProviders,
    /** Emergency retirement of a signing key (audited), told to every node. */
    async retireSigningKey(kid: string, actor: Actor, reason?: string) {
      const retired = await keys.retire(kid, actor, reason);
      await o.bus?.publish({ kind: 'oauth_signing_key', id: kid });
      return retired;
    },
    /** The scheduled step: rotate signing keys, tell owners of client secrets that fell due, forget what has expired. */
    async maintain(): Promise<void> {
      await keys.rotate();
      await noticeDueSecrets({ store, clock: o.clock });
      await store.purgeExpired(o.clock.now());
    },
    /** Makes the first signing key (EdDSA) if there is none, then maintains every hour. */
    async start(): Promise<void> {
      await keys.ensure('EdDSA');
      upkeep ??= every(3_600_000, () => this.maintain(), o.onError);
    },
    async stop(): Promise<void> {
      await upkeep?.stop();
      upkeep = undefined;
      await workers.close();
    },
  };
}
