import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { generateKey } from '../api-keys/key-format.js';
import type { Clock } from '../clock.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { SCOPE_PATTERN } from '../scopes/scope-expression.js';
import { keyFitsAlg } from './jws.js';
import type { SigningKeys } from './signing-keys.js';
import {
  ALL_GRANT_TYPES,
  CLIENT_AUTH_METHODS,
  SIGNING_ALGS,
  type ClientAuthMethod,
  type ClientSecretRecord,
  type GrantType,
  type OAuthClientRecord,
  type SigningAlg,
} from './oauth-records.js';
import type { OAuthRepos, OAuthStore } from './oauth-store.js';

/** Key prefix of client secrets: scanners find a leaked one by its shape and checksum. */
export const CLIENT_SECRET_PREFIX = 'tessera_cs';

/** Algorithms a client may sign its `private_key_jwt` assertions with. */
export const CLIENT_ASSERTION_ALGS = ['EdDSA', 'Ed25519', 'ES256', 'PS256', 'RS256'] as const;

/** The members a client's public key may have (RFC 7517 §4, RFC 7518 §6, RFC 8037); `x5u` is never followed, so not taken. */
const JWK_PUBLIC_MEMBERS: ReadonlySet<string> = new Set([
  'kty',
  'use',
  'key_ops',
  'alg',
  'kid',
  'x5c',
  'x5t',
  'x5t#S256',
  'crv',
  'x',
  'y',
  'n',
  'e',
]);

export const CLIENT_LIMITS = {
  accessTokenTtl: { min: 30, max: 3600, default: 300 },
  refreshTokenTtl: { min: 60, max: 90 * 86_400, default: 7 * 86_400 },
  refreshGraceSeconds: { min: 0, max: 10, default: 0 },
  refreshFamilyLifetime: { min: 60, max: 365 * 86_400, default: 30 * 86_400 },
  secretGraceSeconds: { min: 0, max: 30 * 86_400 },
} as const;

export interface ClientInput {
  name?: string | undefined;
  scopes?: string[] | undefined;
  audience?: string[] | undefined;
  grantTypes?: string[] | undefined;
  tokenEndpointAuthMethod?: string | undefined;
  jwks?: { keys: Record<string, unknown>[] } | null | undefined;
  accessTokenFormat?: 'jwt' | 'opaque' | undefined;
  signingAlg?: string | undefined;
  accessTokenTtl?: number | undefined;
  refreshTokenTtl?: number | undefined;
  refreshFamilyLifetime?: number | undefined;
  refreshGraceSeconds?: number | undefined;
  dpopBound?: boolean | undefined;
  dpopNonce?: boolean | undefined;
}

export interface ClientServiceDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  keys: SigningKeys;
  /** Tells every node's client directory that a client changed. */
  bus?: InvalidationBus | undefined;
}

/** Management of OAuth clients. Every change is written with its audit entry in one transaction. */
export class OAuthClientService {
  constructor(private readonly deps: ClientServiceDeps) {}

  /** Creates a client; a secret-based client's secret is in the answer and nowhere else. */
  async create(actor: Actor, input: ClientInput & { name: string }): Promise<{ client: OAuthClientRecord; secret?: string }> {
    const now = this.deps.clock.now();
    const fields = this.validate(input);
    const client: OAuthClientRecord = {
      id: newId('oauthClient', now),
      workspaceId: workspaceOf(actor),
      name: input.name,
      scopes: [],
      audience: [],
      grantTypes: ['client_credentials'],
      authMethod: 'client_secret_basic',
      jwks: null,
      accessTokenFormat: 'jwt',
      signingAlg: 'EdDSA',
      accessTokenTtl: CLIENT_LIMITS.accessTokenTtl.default,
      refreshTokenTtl: CLIENT_LIMITS.refreshTokenTtl.default,
      refreshFamilyLifetime: CLIENT_LIMITS.refreshFamilyLifetime.default,
      refreshGraceSeconds: CLIENT_LIMITS.refreshGraceSeconds.default,
      dpopBound: false,
      dpopNonce: false,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...fields,
    };
    this.checkCoherent(client);
    // The first key of an algorithm is published before any token is signed with it.
    await this.deps.keys.ensure(client.signingAlg);
    const issued = client.authMethod === 'private_key_jwt' ? undefined : this.newSecret(client.id, now);
    await this.deps.store.transaction(async (tx) => {
      await this.claim(tx, client.workspaceId, client.audience, now);
      await tx.insertClient(client);
      if (issued) await tx.insertClientSecret(issued.record);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_client.created',
        target: client.id,
        details: {
          name: client.name,
          scopes: client.scopes,
          audience: client.audience,
          grantTypes: client.grantTypes,
          authMethod: client.authMethod,
          signingAlg: client.signingAlg,
        },
      });
    });
    return issued ? { client, secret: issued.secret } : { client };
  }

  async get(actor: Actor, id: string, repos: OAuthRepos = this.deps.store): Promise<OAuthClientRecord> {
    const c = await repos.getClient(id);
    if (c === undefined || c.deletedAt !== null || c.workspaceId !== actor.workspaceId)
      throw new TesseraError('NOT_FOUND', 'No such OAuth client.');
    return c;
  }

  async list(actor: Actor, q: { limit: number; after?: string | undefined }): Promise<OAuthClientRecord[]> {
    return this.deps.store.listClients({ workspaceId: workspaceOf(actor), ...q });
  }

  async update(actor: Actor, id: string, input: ClientInput): Promise<OAuthClientRecord> {
    const updated = await this.deps.store.transaction(async (tx) => {
      const current = await this.get(actor, id, tx);
      const fields = this.validate(input);
      const next = { ...current, ...fields };
      this.checkCoherent(next);
      if (next.authMethod === 'private_key_jwt' && current.authMethod !== 'private_key_jwt') {
        for (const s of await tx.listLiveClientSecrets(id, this.deps.clock.now())) await tx.expireClientSecret(s.id, this.deps.clock.now());
      }
      if (fields.audience !== undefined) await this.claim(tx, current.workspaceId, fields.audience, this.deps.clock.now());
      await tx.updateClient(id, { ...fields, updatedAt: this.deps.clock.now() });
      if (fields.audience !== undefined)
        await tx.releaseAudiences(
          current.workspaceId,
          current.audience.filter((a) => !next.audience.includes(a)),
        );
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_client.updated',
        target: id,
        details: { changed: Object.keys(fields) },
      });
      return next;
    });
    await this.changed(id);
    await this.deps.keys.ensure(updated.signingAlg);
    return updated;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const client = await this.get(actor, id, tx);
      const now = this.deps.clock.now();
      for (const s of await tx.listLiveClientSecrets(id, now)) await tx.expireClientSecret(s.id, now);
      await tx.updateClient(id, { deletedAt: now, updatedAt: now });
      await tx.releaseAudiences(client.workspaceId, client.audience);
      await appendAudit(tx, this.deps.clock, actor, { action: 'oauth_client.deleted', target: id });
    });
    await this.changed(id);
  }

  /**
   * Issues a new secret. The secrets in use keep working for `gracePeriodSeconds` (0: they stop
   * now), so deployments can roll over without an outage.
   */
  async rotateSecret(actor: Actor, id: string, gracePeriodSeconds = 0): Promise<{ client: OAuthClientRecord; secret: string }> {
    const g = CLIENT_LIMITS.secretGraceSeconds;
    if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < g.min || gracePeriodSeconds > g.max) {
      throw new TesseraError('VALIDATION_FAILED', `gracePeriodSeconds must be an integer from ${g.min} to ${g.max}`);
    }
    const rotated = await this.deps.store.transaction(async (tx) => {
      const client = await this.get(actor, id, tx);
      if (client.authMethod === 'private_key_jwt')
        throw new TesseraError('CONFLICT', 'This client authenticates with private_key_jwt and has no secret.');
      const now = this.deps.clock.now();
      const end = now + gracePeriodSeconds * 1000;
      for (const s of await tx.listLiveClientSecrets(id, now)) {
        if (s.expiresAt === null || s.expiresAt > end) await tx.expireClientSecret(s.id, end);
      }
      const issued = this.newSecret(id, now);
      await tx.insertClientSecret(issued.record);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_client.secret_rotated',
        target: id,
        details: { gracePeriodSeconds, secretId: issued.record.id },
      });
      return { client, secret: issued.secret };
    });
    await this.changed(id);
    return rotated;
  }

  /**
   * An audience names one resource server, which belongs to one workspace: a client may name an
   * audience only if no other workspace's client does.
   */
  private async claim(tx: OAuthRepos, workspaceId: string, audience: readonly string[], now: number): Promise<void> {
    const taken = await tx.claimAudiences(workspaceId, audience, now);
    if (taken !== undefined)
      throw new TesseraError(
        'CONFLICT',
        `The audience "${taken.slice(0, 512)}" belongs to another workspace; each API's audience belongs to one workspace.`,
      );
  }

  /** After the commit: every node reads the client afresh. */
  private async changed(id: string): Promise<void> {
    await this.deps.bus?.publish({ kind: 'oauth_client', id });
  }

  private newSecret(clientId: string, now: number): { secret: string; record: ClientSecretRecord } {
    const secret = generateKey(CLIENT_SECRET_PREFIX);
    return {
      secret,
      record: {
        id: newId('clientSecret', now),
        clientId,
        hash: this.deps.keyring.hash('client_secret', secret),
        pepperVersion: this.deps.keyring.currentPepperVersion,
        createdAt: now,
        expiresAt: null,
      },
    };
  }

  /** Turns caller input into record fields, refusing what is not allowed. */
  private validate(input: ClientInput): Partial<OAuthClientRecord> {
    const out: Partial<OAuthClientRecord> = {};
    const bad = (m: string) => new TesseraError('VALIDATION_FAILED', m);
    if (input.name !== undefined) out.name = input.name;
    if (input.scopes !== undefined) {
      for (const s of input.scopes) if (!SCOPE_PATTERN.test(s)) throw bad(`invalid scope "${s.slice(0, 64)}"`);
      out.scopes = [...new Set(input.scopes)];
    }
    if (input.audience !== undefined) {
      for (const a of input.audience)
        if (a.length === 0 || a.length > 512 || /\s/.test(a)) throw bad('each audience must be 1 to 512 characters without spaces');
      out.audience = [...new Set(input.audience)];
    }
    if (input.grantTypes !== undefined) {
      if (input.grantTypes.length === 0) throw bad('grantTypes must name at least one grant');
      for (const g of input.grantTypes)
        if (!(ALL_GRANT_TYPES as readonly string[]).includes(g)) throw bad(`unsupported grant type "${g.slice(0, 80)}"`);
      out.grantTypes = [...new Set(input.grantTypes)] as GrantType[];
    }
    if (input.tokenEndpointAuthMethod !== undefined) {
      if (!(CLIENT_AUTH_METHODS as readonly string[]).includes(input.tokenEndpointAuthMethod))
        throw bad(`unsupported tokenEndpointAuthMethod`);
      out.authMethod = input.tokenEndpointAuthMethod as ClientAuthMethod;
    }
    if (input.jwks !== undefined) {
      if (input.jwks !== null) {
        const keys = input.jwks.keys;
        if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) throw bad('jwks must hold 1 to 10 keys');
        for (const k of keys) {
          if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'seed'].some((m) => k[m] !== undefined))
            throw bad('jwks must hold public keys only');
          const other = Object.keys(k).find((m) => !JWK_PUBLIC_MEMBERS.has(m));
          if (other !== undefined) throw bad(`jwks: "${other.slice(0, 32)}" is not a public key member of RFC 7517 or RFC 7518`);
          if (!CLIENT_ASSERTION_ALGS.some((alg) => keyFitsAlg(k, alg)))
            throw bad(`each key must fit one of ${CLIENT_ASSERTION_ALGS.join(', ')}`);
          if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid.length > 256))
            throw bad('kid must be a string of at most 256 characters');
        }
      }
      out.jwks = input.jwks;
    }
    if (input.accessTokenFormat !== undefined) out.accessTokenFormat = input.accessTokenFormat;
    if (input.signingAlg !== undefined) {
      if (!(SIGNING_ALGS as readonly string[]).includes(input.signingAlg))
        throw bad(`signingAlg must be one of ${SIGNING_ALGS.join(', ')}`);
      out.signingAlg = input.signingAlg as SigningAlg;
    }
    const int = (name: keyof typeof CLIENT_LIMITS & keyof ClientInput, v: number | undefined) => {
      if (v === undefined) return;
      const l = CLIENT_LIMITS[name];
      if (!Number.isInteger(v) || v < l.min || v > l.max) throw bad(`${name} must be an integer from ${l.min} to ${l.max}`);
      (out as Record<string, number>)[name] = v;
    };
    int('accessTokenTtl', input.accessTokenTtl);
    int('refreshTokenTtl', input.refreshTokenTtl);
    int('refreshGraceSeconds', input.refreshGraceSeconds);
    int('refreshFamilyLifetime', input.refreshFamilyLifetime);
    if (input.dpopBound !== undefined) out.dpopBound = input.dpopBound;
    if (input.dpopNonce !== undefined) out.dpopNonce = input.dpopNonce;
    return out;
  }

  private checkCoherent(c: OAuthClientRecord): void {
    if (c.authMethod === 'private_key_jwt' && (c.jwks === null || c.jwks.keys.length === 0)) {
      throw new TesseraError('VALIDATION_FAILED', 'private_key_jwt needs jwks with the public keys of the client');
    }
  }
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
