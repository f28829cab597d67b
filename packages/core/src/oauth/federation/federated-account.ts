import type { JWTPayload } from 'jose';
import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { normaliseEmail } from '../../console/console-policy.js';
import { newId } from '../../ids.js';
import type { OAuthStore } from '../oauth-store.js';
import { newEndUser, type EndUserRecord } from '../people/end-user-records.js';
import type { UpstreamProviderRecord } from './upstream-provider-records.js';

/** The end user an upstream account signs in as; or why none (each has its own page). */
export type FederatedAccount = { ok: true; user: EndUserRecord } | { ok: false; reason: 'no_email' | 'email_not_verified' | 'disabled' };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/**
 * The end user behind an upstream account: the one linked to it (provider and `sub`); else the
 * user with its email, linked now — only when the upstream says the email is verified, since
 * otherwise anyone who typed that address at the upstream would take the account; else a new
 * user, made just in time with no password. Links and new users are audited in their transaction,
 * and so is the sign-in.
 */
export async function federatedAccount(
  deps: { store: OAuthStore; clock: Clock },
  provider: UpstreamProviderRecord,
  claims: JWTPayload & { sub: string },
  context: { ip: string; clientId: string | null },
): Promise<FederatedAccount> {
  const { store, clock } = deps;
  const workspaceId = provider.workspaceId;
  const map = provider.claimMapping;
  const link = await store.findUpstreamLink(provider.id, claims.sub);
  const linked = link === undefined ? undefined : await store.getEndUser(link.userId);
  const rawEmail = claims[map.email ?? 'email'];
  const email = typeof rawEmail === 'string' ? normaliseEmail(rawEmail) : '';
  const verified = claims[map.emailVerified ?? 'email_verified'] === true;
  const rawName = claims[map.name ?? 'name'];
  const name = typeof rawName === 'string' && rawName.trim() !== '' ? rawName.trim().slice(0, 200) : null;
  let user = linked;
  let created = false;
  if (user === undefined) {
    if (!EMAIL.test(email)) return { ok: false, reason: 'no_email' };
    user = await store.findEndUserByEmail(workspaceId, email);
    if (user !== undefined && !verified) return { ok: false, reason: 'email_not_verified' };
    if (user === undefined) {
      const now = clock.now();
      // No password: this user signs in through the upstream only (an empty hash matches nothing),
      // and no second factor: the upstream's sign-in is the one that counts.
      user = newEndUser({ id: newId('endUser', now), workspaceId, email, emailVerified: verified, name, passwordHash: '', createdAt: now });
      created = true;
    }
  }
  if (user.disabledAt !== null) return { ok: false, reason: 'disabled' };
  const signedIn = user;
  const now = clock.now();
  const actor: Actor = { id: `end_user:${signedIn.id}`, workspaceId, ip: context.ip };
  const linkDetails = { providerId: provider.id, subject: claims.sub };
  await store.transaction(async (tx) => {
    if (created) {
      if (!(await tx.insertEndUser(signedIn))) throw new Error('an end user with this email was made meanwhile');
      await appendAudit(tx, clock, actor, { action: 'end_user.created', target: signedIn.id, details: { email, providerId: provider.id } });
    }
    if (linked === undefined) {
      if (!(await tx.insertUpstreamLink({ ...linkDetails, userId: signedIn.id, workspaceId, createdAt: now })))
        throw new Error('this upstream account was linked meanwhile');
      await appendAudit(tx, clock, actor, { action: 'end_user.linked', target: signedIn.id, details: { ...linkDetails, email } });
    }
    await tx.updateEndUser(signedIn.id, { lastSignInAt: now });
    await appendAudit(tx, clock, actor, {
      action: 'end_user.signed_in',
      target: signedIn.id,
      details: { clientId: context.clientId, amr: ['fed'], providerId: provider.id },
    });
  });
  return { ok: true, user: { ...signedIn, lastSignInAt: now } };
}
