import { generateKey } from '../../api-keys/key-format.js';
import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import { newId } from '../../ids.js';
import type { Repos } from '../../store/store.js';
import type { OAuthClientRecord, RefreshTokenRecord, TokenFamilyRecord } from '../oauth-records.js';
import type { OAuthRepos } from '../oauth-store.js';
import type { ServerContext } from '../server-context.js';
import type { TokenRequest } from '../token-request.js';

export const REFRESH_TOKEN_PREFIX = 'tessera_rt';

/** The actor of what a client's own request changes, for the audit log. */
export function clientActor(client: OAuthClientRecord, req: TokenRequest): Actor {
  return { id: `oauth_client:${client.id}`, workspaceId: client.workspaceId, ip: req.ip };
}

/** A refresh token of a family; it never outlives the family's absolute end. */
export function newRefreshToken(
  ctx: ServerContext,
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
      hash: ctx.keyring.hash('refresh_token', token),
      createdAt: now,
      expiresAt: Math.min(now + client.refreshTokenTtl * 1000, end),
      usedAt: null,
      replacedById: null,
    },
  };
}

/** The stored record of a refresh token, hashed under each pepper the keyring still knows. */
export async function findRefreshToken(ctx: ServerContext, token: string): Promise<RefreshTokenRecord | undefined> {
  for (const v of ctx.keyring.pepperVersions) {
    const found = await ctx.store.findRefreshTokenByHash(ctx.keyring.hash('refresh_token', token, v));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Revokes a family inside `tx`, audited the first time only. */
export async function revokeFamilyIn(
  ctx: ServerContext,
  tx: OAuthRepos & Repos,
  family: TokenFamilyRecord,
  actor: Actor,
  reason: string,
): Promise<void> {
  if (await tx.revokeFamily(family.id, ctx.clock.now(), reason)) {
    await appendAudit(tx, ctx.clock, actor, {
      action: 'oauth_token_family.revoked',
      target: family.id,
      details: { reason, clientId: family.clientId, subject: family.subject },
    });
  }
}

/** Revokes a family in a transaction of its own. */
export async function revokeFamily(ctx: ServerContext, id: string, reason: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const family = await tx.getFamily(id);
    if (family !== undefined) await revokeFamilyIn(ctx, tx, family, actor, reason);
  });
}
