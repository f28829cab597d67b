import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { TesseraError } from '../../errors.js';
import type { Repos } from '../../store/store.js';
import type { OAuthRepos, OAuthStore } from '../oauth-store.js';
import type { EndUserRecord } from './end-user-records.js';

/** One app a user granted access: the consent remembered, and the grants (refresh families) alive under it. */
export interface GrantedApp {
  clientId: string;
  /** Null when the client was deleted since. */
  clientName: string | null;
  /** The scopes consented to (empty when only a grant remains, its consent forgotten). */
  scope: string[];
  /** When the user first allowed the client, and last widened or renewed the consent; null without a consent. */
  grantedAt: number | null;
  updatedAt: number | null;
  /** Refresh-token families alive: apps or devices holding a refresh token. */
  activeGrants: number;
}

/** How many families one request revokes at most in one pass; the rest in the next. */
const BATCH = 500;

/**
 * What administrators do to a user's grants: list them, revoke one app's (its consent and its
 * refresh families), and end everything — every sign-in at Tessera (the session cookies made before
 * are refused), every refresh family and every consent. Each change is audited in its transaction,
 * each family as `oauth_token_family.revoked` and the whole as one entry besides.
 */
export class UserGrants {
  constructor(private readonly deps: { store: OAuthStore; clock: Clock }) {}

  async list(actor: Actor, userId: string): Promise<GrantedApp[]> {
    await this.user(actor, userId);
    const store = this.deps.store;
    const byClient = new Map<string, GrantedApp>();
    for (const c of await store.listConsentsOfUser(userId))
      byClient.set(c.clientId, {
        clientId: c.clientId,
        clientName: null,
        scope: c.scope,
        grantedAt: c.createdAt,
        updatedAt: c.updatedAt,
        activeGrants: 0,
      });
    for (const f of await store.listLiveFamiliesOfSubject(userId, undefined, 10_000)) {
      const g = byClient.get(f.clientId) ?? {
        clientId: f.clientId,
        clientName: null,
        scope: [],
        grantedAt: null,
        updatedAt: null,
        activeGrants: 0,
      };
      g.activeGrants++;
      byClient.set(f.clientId, g);
    }
    const grants = [...byClient.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    for (const g of grants) {
      const client = await store.getClient(g.clientId);
      g.clientName = client === undefined || client.deletedAt !== null ? null : client.name;
    }
    return grants;
  }

  /** Revokes one app's access: its consent is forgotten (the next sign-in asks again) and its refresh tokens stop working. */
  async revoke(actor: Actor, userId: string, clientId: string): Promise<{ familiesRevoked: number }> {
    await this.user(actor, userId);
    return this.deps.store.transaction(async (tx) => {
      const consents = await tx.deleteConsents(userId, clientId);
      const familiesRevoked = await this.revokeFamilies(tx, actor, userId, clientId, 'grant_revoked');
      if (consents === 0 && familiesRevoked === 0) throw new TesseraError('NOT_FOUND', 'This user has no grant for that client.');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_consent.revoked',
        target: clientId,
        details: { userId, familiesRevoked },
      });
      return { familiesRevoked };
    });
  }

  /** Ends every sign-in of the user, revokes every grant and forgets every consent. */
  async endAll(actor: Actor, userId: string): Promise<{ familiesRevoked: number; consentsForgotten: number }> {
    await this.user(actor, userId);
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      await tx.updateEndUser(userId, { sessionsEndedAt: now, updatedAt: now });
      const consentsForgotten = await tx.deleteConsents(userId);
      const familiesRevoked = await this.revokeFamilies(tx, actor, userId, undefined, 'sessions_ended');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'end_user.sessions_ended',
        target: userId,
        details: { familiesRevoked, consentsForgotten },
      });
      return { familiesRevoked, consentsForgotten };
    });
  }

  private async revokeFamilies(tx: OAuthRepos & Repos, actor: Actor, userId: string, clientId: string | undefined, reason: string) {
    let count = 0;
    for (;;) {
      const families = await tx.listLiveFamiliesOfSubject(userId, clientId, BATCH);
      for (const f of families) {
        if (!(await tx.revokeFamily(f.id, this.deps.clock.now(), reason))) continue;
        count++;
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'oauth_token_family.revoked',
          target: f.id,
          details: { reason, clientId: f.clientId, subject: f.subject },
        });
      }
      if (families.length < BATCH) return count;
    }
  }

  private async user(actor: Actor, id: string): Promise<EndUserRecord> {
    const u = await this.deps.store.getEndUser(id);
    if (u === undefined || u.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such user.');
    return u;
  }
}
