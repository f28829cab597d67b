import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { checkPassword, normaliseEmail } from '../../console/console-policy.js';
import type { PasswordHasher } from '../../console/password-hasher.js';
import { TesseraError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { OAuthStore } from '../oauth-store.js';
import { newEndUser, type EndUserRecord } from './end-user-records.js';

export interface EndUserServiceDeps {
  store: OAuthStore;
  clock: Clock;
  /** argon2id off the thread pool: the console's hashing thread, shared. */
  passwords: PasswordHasher;
}

export interface NewEndUser {
  email: string;
  password: string;
  name?: string | undefined;
  emailVerified?: boolean | undefined;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/**
 * A workspace's directory of end users — the people its apps sign in through Tessera's
 * authorization endpoint. Passwords are argon2id; every change is audited in its transaction.
 */
export class EndUserService {
  constructor(private readonly deps: EndUserServiceDeps) {}

  async create(actor: Actor, input: NewEndUser): Promise<EndUserRecord> {
    const email = normaliseEmail(input.email);
    if (!EMAIL.test(email)) throw new TesseraError('VALIDATION_FAILED', 'email must be an email address');
    checkPassword(input.password);
    const now = this.deps.clock.now();
    const user = newEndUser({
      id: newId('endUser', now),
      workspaceId: workspaceOf(actor),
      email,
      emailVerified: input.emailVerified ?? false,
      name: input.name ?? null,
      passwordHash: await this.deps.passwords.hash(input.password),
      createdAt: now,
    });
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.insertEndUser(user))) throw new TesseraError('CONFLICT', 'This workspace has a user with that email already.');
      await appendAudit(tx, this.deps.clock, actor, { action: 'end_user.created', target: user.id, details: { email } });
    });
    return user;
  }

  async get(actor: Actor, id: string): Promise<EndUserRecord> {
    const u = await this.deps.store.getEndUser(id);
    if (u === undefined || u.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such user.');
    return u;
  }

  list(actor: Actor, q: { limit: number; after?: string | undefined }): Promise<EndUserRecord[]> {
    return this.deps.store.listEndUsers({ workspaceId: workspaceOf(actor), ...q });
  }

  /** Disables or enables a user. A disabled user cannot sign in, and their refresh tokens stop working. */
  async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<EndUserRecord> {
    const user = await this.get(actor, id);
    if ((user.disabledAt !== null) === disabled) return user;
    const now = this.deps.clock.now();
    const disabledAt = disabled ? now : null;
    await this.deps.store.transaction(async (tx) => {
      await tx.updateEndUser(id, { disabledAt, updatedAt: now });
      await appendAudit(tx, this.deps.clock, actor, { action: disabled ? 'end_user.disabled' : 'end_user.enabled', target: id });
    });
    return { ...user, disabledAt, updatedAt: now };
  }

  /**
   * Resets a user's second factor (they lost their authenticator): the TOTP secret and every passkey
   * are forgotten, and they sign in with their password alone until they enrol again from the
   * account page.
   */
  async resetSecondFactor(actor: Actor, id: string): Promise<EndUserRecord> {
    const user = await this.get(actor, id);
    const now = this.deps.clock.now();
    const patch = { totpSecret: null, totpPending: null, totpLastStep: null, updatedAt: now };
    await this.deps.store.transaction(async (tx) => {
      const passkeysRemoved = await tx.endUserPasskeys.deleteAll(id);
      if (user.totpSecret === null && user.totpPending === null && passkeysRemoved === 0)
        throw new TesseraError('NOT_FOUND', 'This user has no second factor.');
      await tx.updateEndUser(id, patch);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'end_user.second_factor_reset',
        target: id,
        details: { totp: user.totpSecret !== null, passkeysRemoved },
      });
    });
    return { ...user, ...patch };
  }

  /** The user with how many passkeys they registered. */
  async withPasskeys(user: EndUserRecord): Promise<EndUserRecord & { passkeys: number }> {
    return (await this.allWithPasskeys([user]))[0]!;
  }

  /** Users with how many passkeys each registered, counted in one query for the whole page. */
  async allWithPasskeys(users: readonly EndUserRecord[]): Promise<(EndUserRecord & { passkeys: number })[]> {
    const counts = await this.deps.store.endUserPasskeys.countByUser(users.map((u) => u.id));
    return users.map((u) => ({ ...u, passkeys: counts.get(u.id) ?? 0 }));
  }

  /** Deletes a user and their consents; their refresh tokens stop working at the next refresh. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.get(actor, id);
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.deleteEndUser(id))) throw new TesseraError('NOT_FOUND', 'No such user.');
      await appendAudit(tx, this.deps.clock, actor, { action: 'end_user.deleted', target: id });
    });
  }
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
