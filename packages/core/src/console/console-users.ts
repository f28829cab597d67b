import type { Clock } from '../clock.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import { DEFAULT_WORKSPACE_ID } from '../root-keys/root-key-service.js';
import type { Store } from '../store/store.js';
import { checkPassword, normaliseEmail } from './console-policy.js';
import { grantedReach } from './console-reach.js';
import { CONSOLE_ROLES, newConsoleUser, type ConsoleRole, type ConsoleUserRecord } from './console-records.js';
import type { Signed } from './console-sessions.js';
import type { PasswordHasher } from './password-hasher.js';
import type { SignInLockout } from './sign-in-lockout.js';

export interface ConsoleUsersDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  passwords: PasswordHasher;
  lockout: SignInLockout;
}

/** What an owner may change of a console user. */
export interface ConsoleUserChange {
  role?: ConsoleRole | undefined;
  disabled?: boolean | undefined;
  /** Lifts a lockout. */
  unlock?: boolean | undefined;
  /** The workspaces it reaches besides its home (see `grantedReach` for what stays). */
  otherWorkspaceIds?: readonly string[] | undefined;
}

/** Who may grant which workspaces: the workspaces the granting user reaches, or `any` for the operator's CLI. */
export type GranterReach = readonly string[] | 'any';

/**
 * The people who may sign in to the console, in a workspace: made by an owner (or by `tessera
 * users create`), with an argon2id password and a role; changed, disabled and unlocked by an
 * owner; and each one's own password change. Every change is audited.
 */
export class ConsoleUsers {
  constructor(private readonly deps: ConsoleUsersDeps) {}

  async create(
    actor: Actor,
    input: {
      email: string;
      password: string;
      role: ConsoleRole;
      name?: string | null | undefined;
      otherWorkspaceIds?: readonly string[] | undefined;
    },
    granterReach: GranterReach = 'any',
  ): Promise<ConsoleUserRecord> {
    const email = normaliseEmail(input.email);
    if (!/^[^\s@]{1,64}@[^\s@]{1,189}$/.test(email)) throw new TesseraError('VALIDATION_FAILED', 'email must be an email address');
    if (!CONSOLE_ROLES.includes(input.role)) throw new TesseraError('VALIDATION_FAILED', `role must be one of ${CONSOLE_ROLES.join(', ')}`);
    checkPassword(input.password);
    const passwordHash = await this.deps.passwords.hash(input.password);
    const now = this.deps.clock.now();
    const user = newConsoleUser({
      id: newId('consoleUser', now),
      workspaceId: actor.workspaceId ?? DEFAULT_WORKSPACE_ID,
      email,
      name: input.name ?? null,
      role: input.role,
      passwordHash,
      recoveryPepperVersion: this.deps.keyring.currentPepperVersion,
      createdAt: now,
    });
    return this.deps.store.transaction(async (tx) => {
      if ((await tx.console.findUserByEmail(email)) !== undefined)
        throw new TesseraError('CONFLICT', 'A console user with this email exists already.');
      user.otherWorkspaceIds = await grantedReach(tx, user.workspaceId, [], input.otherWorkspaceIds ?? [], granterReach);
      await tx.console.insertUser(user);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.created',
        target: user.id,
        details: { email, role: user.role, ...(user.otherWorkspaceIds.length > 0 && { otherWorkspaceIds: user.otherWorkspaceIds }) },
      });
      return user;
    });
  }

  list(workspaceId: string): Promise<ConsoleUserRecord[]> {
    return this.deps.store.console.listUsers(workspaceId);
  }

  /** The users homed in other workspaces that reach this one. */
  reaching(workspaceId: string): Promise<ConsoleUserRecord[]> {
    return this.deps.store.console.listUsersReaching(workspaceId);
  }

  /** The user of this email homed in `workspaceId`, if any. */
  async findByEmail(email: string, workspaceId: string): Promise<ConsoleUserRecord | undefined> {
    const user = await this.deps.store.console.findUserByEmail(normaliseEmail(email));
    return user?.workspaceId === workspaceId ? user : undefined;
  }

  /** Lifts a lockout (`tessera users unlock`); undefined when there is no such user. */
  async unlock(actor: Actor, email: string): Promise<ConsoleUserRecord | undefined> {
    const user = await this.findByEmail(email, actor.workspaceId ?? DEFAULT_WORKSPACE_ID);
    return user === undefined ? undefined : this.update(actor, user.id, { unlock: true }, 'any');
  }

  /**
   * Changes a user's role, reach or disables/enables them; disabling and a new role end their
   * sessions (a smaller reach needs no such thing: every request checks it afresh).
   */
  async update(actor: Actor, id: string, change: ConsoleUserChange, granterReach: GranterReach): Promise<ConsoleUserRecord> {
    return this.deps.store.transaction(async (tx) => {
      const user = await tx.console.getUser(id);
      if (user === undefined || user.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such console user.');
      if (actor.id === `user:${id}` && (change.disabled === true || (change.role !== undefined && change.role !== 'owner'))) {
        throw new TesseraError('CONFLICT', 'You cannot disable yourself or give up your own owner role; ask another owner.');
      }
      const now = this.deps.clock.now();
      const next: Partial<ConsoleUserRecord> = { updatedAt: now };
      if (change.role !== undefined) next.role = change.role;
      if (change.disabled !== undefined) next.disabledAt = change.disabled ? (user.disabledAt ?? now) : null;
      if (change.unlock === true) Object.assign(next, { lockedUntil: null, failedLogins: 0 });
      if (change.otherWorkspaceIds !== undefined)
        next.otherWorkspaceIds = await grantedReach(tx, user.workspaceId, user.otherWorkspaceIds, change.otherWorkspaceIds, granterReach);
      await tx.console.updateUser(id, next);
      if (change.disabled === true || change.role !== undefined) await tx.console.deleteUserSessions(id);
      const changed = Object.keys(change).filter((k) => change[k as keyof ConsoleUserChange] !== undefined);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.updated',
        target: id,
        details: {
          changed,
          ...(change.role !== undefined && { role: change.role }),
          ...(next.otherWorkspaceIds !== undefined && { otherWorkspaceIds: next.otherWorkspaceIds }),
        },
      });
      return { ...user, ...next };
    });
  }

  /**
   * A new password for the signed-in user. A wrong current password counts towards the lockout
   * like a failed sign-in; a change ends every other session of the user (a thief's among them).
   */
  async changePassword(actor: Actor, signed: Signed, current: string, next: string): Promise<void> {
    const { store, clock, passwords } = this.deps;
    if (!(await passwords.verify(signed.user.passwordHash, current))) {
      await this.deps.lockout.failed(signed.user, actor.ip ?? '', clock.now(), 'current_password', { counts: true });
      throw new TesseraError('UNAUTHORIZED', 'The current password is not right.');
    }
    checkPassword(next);
    const passwordHash = await passwords.hash(next);
    await store.transaction(async (tx) => {
      await tx.console.updateUser(signed.user.id, { passwordHash, updatedAt: clock.now() });
      await tx.console.deleteUserSessions(signed.user.id, signed.session.idHash);
      await appendAudit(tx, clock, actor, { action: 'user.updated', target: signed.user.id, details: { changed: ['password'] } });
    });
  }
}
