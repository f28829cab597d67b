import type {
  ClientSecretRecord,
  OAuthClientRecord,
  OAuthRepos,
  OpaqueTokenRecord,
  Page,
  RefreshTokenRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
} from '@tessera/core';
import type { Kysely, Selectable } from 'kysely';
import { KyselyRepos } from '../kysely-repos.js';
import { claimAudiences, releaseAudiences } from './kysely-oauth-audiences.js';
import type { OAuthDatabase } from './oauth-schema.js';

type ClientRow = Selectable<OAuthDatabase['oauth_clients']>;
const json = (v: unknown) => JSON.stringify(v);

/** The OAuth storage port over Kysely, beside the core repos (and their audit chain) in one handle. */
export class KyselyOAuthRepos extends KyselyRepos implements OAuthRepos {
  private get q(): Kysely<OAuthDatabase> {
    return this.db as unknown as Kysely<OAuthDatabase>;
  }

  async insertClient(c: OAuthClientRecord): Promise<void> {
    await this.q
      .insertInto('oauth_clients')
      .values(clientToRow(c) as ClientRow)
      .execute();
  }

  async getClient(id: string): Promise<OAuthClientRecord | undefined> {
    const row = await this.q.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && clientFromRow(row);
  }

  async listClients(q: { workspaceId: string } & Page): Promise<OAuthClientRecord[]> {
    let query = this.q.selectFrom('oauth_clients').selectAll().where('workspace_id', '=', q.workspaceId).where('deleted_at', 'is', null);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    return (await query.orderBy('id').limit(q.limit).execute()).map(clientFromRow);
  }

  async updateClient(id: string, patch: Partial<OAuthClientRecord>): Promise<void> {
    const row = clientToRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.q.updateTable('oauth_clients').set(row).where('id', '=', id).execute();
  }

  claimAudiences(workspaceId: string, audiences: readonly string[], now: number): Promise<string | undefined> {
    return claimAudiences(this.q, workspaceId, audiences, now);
  }

  releaseAudiences(workspaceId: string, audiences: readonly string[]): Promise<void> {
    return releaseAudiences(this.q, workspaceId, audiences);
  }

  async insertClientSecret(s: ClientSecretRecord): Promise<void> {
    await this.q
      .insertInto('oauth_client_secrets')
      .values({
        id: s.id,
        client_id: s.clientId,
        hash: s.hash,
        pepper_version: s.pepperVersion,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]> {
    const rows = await this.q
      .selectFrom('oauth_client_secrets')
      .selectAll()
      .where('client_id', '=', clientId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      clientId: r.client_id,
      hash: r.hash,
      pepperVersion: r.pepper_version,
      createdAt: Number(r.created_at),
      expiresAt: nullable(r.expires_at),
    }));
  }

  async expireClientSecret(id: string, expiresAt: number): Promise<void> {
    await this.q.updateTable('oauth_client_secrets').set({ expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async insertSigningKey(k: SigningKeyRecord): Promise<void> {
    await this.q
      .insertInto('oauth_signing_keys')
      .values({
        kid: k.kid,
        alg: k.alg,
        public_jwk: json(k.publicJwk),
        private_key: k.privateKey,
        created_at: k.createdAt,
        activates_at: k.activatesAt,
        retires_at: k.retiresAt,
        expires_at: k.expiresAt,
      })
      .execute();
  }

  async listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.q.selectFrom('oauth_signing_keys').selectAll().where('expires_at', '>', now).orderBy('activates_at').execute();
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg as SigningKeyRecord['alg'],
      publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
      privateKey: r.private_key,
      createdAt: Number(r.created_at),
      activatesAt: Number(r.activates_at),
      retiresAt: Number(r.retires_at),
      expiresAt: Number(r.expires_at),
    }));
  }

  async insertFamily(f: TokenFamilyRecord): Promise<void> {
    await this.q
      .insertInto('oauth_token_families')
      .values({
        id: f.id,
        workspace_id: f.workspaceId,
        client_id: f.clientId,
        subject: f.subject,
        api_key_id: f.apiKeyId,
        scope: json(f.scope),
        audience: json(f.audience),
        created_at: f.createdAt,
        revoked_at: f.revokedAt,
        revoke_reason: f.revokeReason,
      })
      .execute();
  }

  async getFamily(id: string): Promise<TokenFamilyRecord | undefined> {
    const r = await this.q.selectFrom('oauth_token_families').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      r && {
        id: r.id,
        workspaceId: r.workspace_id,
        clientId: r.client_id,
        subject: r.subject,
        apiKeyId: r.api_key_id,
        scope: JSON.parse(r.scope) as string[],
        audience: JSON.parse(r.audience) as string[],
        createdAt: Number(r.created_at),
        revokedAt: nullable(r.revoked_at),
        revokeReason: r.revoke_reason,
      }
    );
  }

  async revokeFamily(id: string, at: number, reason: string): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_token_families')
      .set({ revoked_at: at, revoke_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertRefreshToken(t: RefreshTokenRecord): Promise<void> {
    await this.q
      .insertInto('oauth_refresh_tokens')
      .values({
        id: t.id,
        family_id: t.familyId,
        hash: t.hash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
        replaced_by_id: t.replacedById,
      })
      .execute();
  }

  async findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | undefined> {
    const r = await this.q.selectFrom('oauth_refresh_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return r && refreshFromRow(r);
  }

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    let query = this.q.selectFrom('oauth_refresh_tokens').selectAll().where('id', '=', id);
    if (this.dialectName === 'postgres') query = query.forUpdate();
    const r = await query.executeTakeFirst();
    return r && refreshFromRow(r);
  }

  async markRefreshTokenUsed(id: string, at: number, replacedById: string | null): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_refresh_tokens')
      .set({ used_at: at, replaced_by_id: replacedById })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertOpaqueToken(t: OpaqueTokenRecord): Promise<void> {
    await this.q
      .insertInto('oauth_opaque_tokens')
      .values({
        hash: t.hash,
        jti: t.jti,
        workspace_id: t.workspaceId,
        client_id: t.clientId,
        subject: t.subject,
        scope: json(t.scope),
        audience: json(t.audience),
        jkt: t.jkt,
        issued_at: t.issuedAt,
        expires_at: t.expiresAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async findOpaqueToken(hash: string): Promise<OpaqueTokenRecord | undefined> {
    const r = await this.q.selectFrom('oauth_opaque_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return (
      r && {
        hash: r.hash,
        jti: r.jti,
        workspaceId: r.workspace_id,
        clientId: r.client_id,
        subject: r.subject,
        scope: JSON.parse(r.scope) as string[],
        audience: JSON.parse(r.audience) as string[],
        jkt: r.jkt,
        issuedAt: Number(r.issued_at),
        expiresAt: Number(r.expires_at),
        revokedAt: nullable(r.revoked_at),
      }
    );
  }

  async revokeOpaqueToken(hash: string, at: number): Promise<void> {
    await this.q
      .updateTable('oauth_opaque_tokens')
      .set({ revoked_at: at })
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revokeJti(jti: string, expiresAt: number): Promise<void> {
    await this.q
      .insertInto('oauth_revoked_jtis')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async isJtiRevoked(jti: string, now: number): Promise<boolean> {
    const r = await this.q
      .selectFrom('oauth_revoked_jtis')
      .select('jti')
      .where('jti', '=', jti)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r !== undefined;
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    // Inserted, or an expired entry taken over: one row changed. A live entry: none — a replay.
    const r = await this.q
      .insertInto('oauth_once')
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('oauth_once.expires_at', '<=', now))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async purgeExpired(now: number): Promise<void> {
    await this.q.deleteFrom('oauth_once').where('expires_at', '<=', now).execute();
    await this.q.deleteFrom('oauth_revoked_jtis').where('expires_at', '<=', now).execute();
    await this.q.deleteFrom('oauth_opaque_tokens').where('expires_at', '<=', now).execute();
  }
}

function clientFromRow(r: ClientRow): OAuthClientRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    audience: JSON.parse(r.audience) as string[],
    grantTypes: JSON.parse(r.grant_types) as OAuthClientRecord['grantTypes'],
    authMethod: r.auth_method as OAuthClientRecord['authMethod'],
    jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as OAuthClientRecord['jwks']),
    accessTokenFormat: r.access_token_format as OAuthClientRecord['accessTokenFormat'],
    signingAlg: r.signing_alg as OAuthClientRecord['signingAlg'],
    accessTokenTtl: r.access_token_ttl,
    refreshTokenTtl: r.refresh_token_ttl,
    refreshGraceSeconds: r.refresh_grace_seconds,
    refreshFamilyLifetime: r.refresh_family_lifetime,
    dpopBound: r.dpop_bound === 1,
    dpopNonce: r.dpop_nonce === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deletedAt: nullable(r.deleted_at),
  };
}

function clientToRow(c: Partial<OAuthClientRecord>): Partial<ClientRow> {
  const row: Partial<ClientRow> = {};
  const set = <K extends keyof ClientRow>(k: K, v: ClientRow[K] | undefined) => {
    if (v !== undefined) row[k] = v;
  };
  set('id', c.id);
  set('workspace_id', c.workspaceId);
  set('name', c.name);
  set('scopes', c.scopes && json(c.scopes));
  set('audience', c.audience && json(c.audience));
  set('grant_types', c.grantTypes && json(c.grantTypes));
  set('auth_method', c.authMethod);
  if (c.jwks !== undefined) row.jwks = c.jwks === null ? null : json(c.jwks);
  set('access_token_format', c.accessTokenFormat);
  set('signing_alg', c.signingAlg);
  set('access_token_ttl', c.accessTokenTtl);
  set('refresh_token_ttl', c.refreshTokenTtl);
  set('refresh_grace_seconds', c.refreshGraceSeconds);
  set('refresh_family_lifetime', c.refreshFamilyLifetime);
  if (c.dpopBound !== undefined) row.dpop_bound = c.dpopBound ? 1 : 0;
  if (c.dpopNonce !== undefined) row.dpop_nonce = c.dpopNonce ? 1 : 0;
  set('created_at', c.createdAt);
  set('updated_at', c.updatedAt);
  set('deleted_at', c.deletedAt);
  return row;
}

function refreshFromRow(r: Selectable<OAuthDatabase['oauth_refresh_tokens']>): RefreshTokenRecord {
  return {
    id: r.id,
    familyId: r.family_id,
    hash: r.hash,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    usedAt: nullable(r.used_at),
    replacedById: r.replaced_by_id,
  };
}

function nullable(v: number | null): number | null {
  return v === null ? null : Number(v);
}
