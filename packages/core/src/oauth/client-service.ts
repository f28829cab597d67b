import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { generateKey } from '../api-keys/key-format.js';
import type { Clock } from '../clock.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { checkCoherent, CLIENT_LIMITS, clientFields, type ClientInput } from './client-input.js';
import type { OAuthClientRepos } from './client-repos.js';
import { dueFields } from './client-secret-schedule.js';
import type { ClientSecretRecord, OAuthClientRecord } from './oauth-records.js';
import type { OAuthStore } from './oauth-store.js';
import type { SigningKeys } from './signing-keys.js';

/** Key prefix of client secrets: scanners find a leaked one by its shape and checksum. */
export const CLIENT_SECRET_PREFIX = 'tessera_cs';

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
    const fields = clientFields(input);
    const client: OAuthClientRecord = {
      id: newId('oauthClient', now),
      workspaceId: workspaceOf(actor),
      name: input.name,
      scopes: [],
      audience: [],
      grantTypes: ['client_credentials'],
      redirectUris: [],
      postLogoutRedirectUris: [],
      webOrigins: [],
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
      requirePar: false,
      secretRotationDays: null,
      secretRotationOverlapSeconds: null,
      secretRotationDueAt: null,
      secretRotationNotifiedAt: null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...fields,
    };
    Object.assign(client, dueFields(client, now));
    checkCoherent(client);
    // The first key of an algorithm is published before any token is signed with it.
    await this.deps.keys.ensure(client.signingAlg);
    const issued = hasSecret(client) ? this.newSecret(client.id, now) : undefined;
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
          redirectUris: client.redirectUris,
          authMethod: client.authMethod,
          signingAlg: client.signingAlg,
        },
      });
    });
    return issued ? { client, secret: issued.secret } : { client };
  }

  async get(actor: Actor, id: string, repos: OAuthClientRepos = this.deps.store): Promise<OAuthClientRecord> {
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
      const fields = clientFields(input);
      if (fields.secretRotationDays !== undefined)
        Object.assign(fields, dueFields({ secretRotationDays: fields.secretRotationDays }, await this.secretIssuedAt(tx, id)));
      const next = { ...current, ...fields };
      checkCoherent(next);
      if (!hasSecret(next) && hasSecret(current)) {
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
   * now; by default the overlap of the client's rotation schedule, else 0), so deployments can
   * roll over without an outage. A schedule's next due date counts from now.
   */
  async rotateSecret(actor: Actor, id: string, grace?: number): Promise<{ client: OAuthClientRecord; secret: string }> {
    const g = CLIENT_LIMITS.secretGraceSeconds;
    if (grace !== undefined && (!Number.isInteger(grace) || grace < g.min || grace > g.max)) {
      throw new TesseraError('VALIDATION_FAILED', `gracePeriodSeconds must be an integer from ${g.min} to ${g.max}`);
    }
    const rotated = await this.deps.store.transaction(async (tx) => {
      const client = await this.get(actor, id, tx);
      if (!hasSecret(client)) throw new TesseraError('CONFLICT', `This client authenticates with ${client.authMethod} and has no secret.`);
      const gracePeriodSeconds = grace ?? client.secretRotationOverlapSeconds ?? 0;
      const now = this.deps.clock.now();
      const end = now + gracePeriodSeconds * 1000;
      for (const s of await tx.listLiveClientSecrets(id, now)) {
        if (s.expiresAt === null || s.expiresAt > end) await tx.expireClientSecret(s.id, end);
      }
      const issued = this.newSecret(id, now);
      await tx.insertClientSecret(issued.record);
      if (client.secretRotationDays !== null) await tx.updateClient(id, dueFields(client, now));
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
  private async claim(tx: OAuthClientRepos, workspaceId: string, audience: readonly string[], now: number): Promise<void> {
    const taken = await tx.claimAudiences(workspaceId, audience, now);
    if (taken !== undefined)
      throw new TesseraError(
        'CONFLICT',
        `The audience "${taken.slice(0, 512)}" belongs to another workspace; each API's audience belongs to one workspace.`,
      );
  }

  /** When the client's current secret was issued (now, when it has none). */
  private async secretIssuedAt(tx: OAuthClientRepos, id: string): Promise<number> {
    const now = this.deps.clock.now();
    return (await tx.listLiveClientSecrets(id, now)).find((s) => s.expiresAt === null)?.createdAt ?? now;
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
}

/** Whether the client authenticates with a secret (not `private_key_jwt`, not a public client). */
function hasSecret(c: OAuthClientRecord): boolean {
  return c.authMethod !== 'private_key_jwt' && c.authMethod !== 'none';
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
