import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { hostLookup } from '../../net/host-lookup.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { TesseraError } from '../../errors.js';
import { hasPermission } from '../../root-keys/permissions.js';
import type { Store } from '../../store/store.js';
import { checkTargetOnSave, type WebhookTargetPolicy } from '../../webhooks/webhook-target.js';
import { canAccessSecret, isSecretName } from '../secret-access.js';
import type { VaultCaller } from '../vault-service.js';
import { signingSecretAad, type SecretRotationRunner } from './secret-rotation-runner.js';
import { EVERY_PATTERN, type RotatorSettings, type SecretRotationRecord } from './secret-rotation-repos.js';

/** What a caller sets: the rotator and its settings, and the schedule (`30d`, `12h`, or null: only when asked). */
export type RotationInput =
  | { rotator: 'postgres-alternating'; connection: string; usernames: string[]; every: string | null }
  | { rotator: 'webhook'; url: string; every: string | null };

/** A rotation as the API shows it: settings and state, never a secret. */
export interface RotationView {
  secret: string;
  rotator: RotatorSettings['kind'];
  connection?: string;
  usernames?: [string, string];
  url?: string;
  every: string | null;
  state: 'idle' | 'rotating';
  /** Whether a new value awaits confirmation. */
  pending: boolean;
  nextRotationAt: number | null;
  attempts: number;
  lastAttemptAt: number | null;
  lastResult: 'succeeded' | 'failed' | null;
  lastError: string | null;
  lastRotatedAt: number | null;
}

const LOGIN_PATTERN = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const SIGNING_SECRET_PREFIX = 'whsec_';

/**
 * Rotation of vault secrets (docs/rotation.md): a schedule and a rotator per secret, set and read
 * with the secret's own permissions (`secrets:write` to change or rotate, `secrets:read` to look).
 * The runner does the rotating; this is its settings and "rotate now".
 */
export class SecretRotations {
  private lookup: LookupFunction | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      keyring: Keyring;
      clock: Clock;
      runner: SecretRotationRunner;
      lookup?: LookupFunction;
      policy: WebhookTargetPolicy;
    },
  ) {
    this.lookup = deps.lookup;
  }

  /** Sets a secret's rotation; a webhook rotator's signing secret is answered once, when it is made. */
  async configure(caller: VaultCaller, name: string, input: RotationInput): Promise<RotationView & { signingSecret?: string }> {
    const { workspaceId } = this.check(caller, 'write', name);
    const intervalSeconds = parseEvery(input.every);
    const settings = await this.settingsOf(caller, workspaceId, input);
    const secret = await this.deps.store.getSecret(workspaceId, name);
    if (secret === undefined) throw new TesseraError('NOT_FOUND', 'No such secret: store its current value first.');
    const seen = await this.deps.store.secretRotations.getRotation(secret.id);
    let signingSecret: string | undefined;
    let signingSecretCiphertext = seen?.settings.kind === 'webhook' ? seen.signingSecretCiphertext : null;
    if (settings.kind === 'webhook' && signingSecretCiphertext === null) {
      signingSecret = SIGNING_SECRET_PREFIX + randomBytes(32).toString('base64url');
      signingSecretCiphertext = await this.deps.keyring.encrypt(Buffer.from(signingSecret), signingSecretAad(secret.id), { workspaceId });
    }
    if (settings.kind !== 'webhook') signingSecretCiphertext = null;
    const now = this.deps.clock.now();
    const record: SecretRotationRecord = {
      secretId: secret.id,
      workspaceId,
      secretName: name,
      settings,
      signingSecretCiphertext,
      intervalSeconds,
      state: 'idle',
      nextAttemptAt: intervalSeconds === null ? null : now + intervalSeconds * 1000,
      attempts: 0,
      lastAttemptAt: seen?.lastAttemptAt ?? null,
      lastResult: seen?.lastResult ?? null,
      lastError: seen?.lastError ?? null,
      lastRotatedAt: seen?.lastRotatedAt ?? null,
      pendingCiphertext: null,
      pendingSince: null,
      createdAt: seen?.createdAt ?? now,
      updatedAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      const current = await tx.secretRotations.getRotation(secret.id);
      if (current?.state === 'rotating' && (current.nextAttemptAt ?? 0) > now)
        throw new TesseraError('CONFLICT', 'A rotation of this secret is under way; try again when it ends.');
      await tx.secretRotations.putRotation(record);
      const { kind, ...visible } = settings;
      await appendAudit(tx, this.deps.clock, caller.actor, {
        action: 'secret.rotation_configured',
        target: name,
        details: { secretId: secret.id, rotator: kind, intervalSeconds, ...visible },
      });
    });
    return { ...viewOf(record), ...(signingSecret !== undefined && { signingSecret }) };
  }

  /** Removes a secret's rotation; its versions stay as they are. */
  async clear(caller: VaultCaller, name: string): Promise<void> {
    const { workspaceId } = this.check(caller, 'write', name);
    await this.deps.store.transaction(async (tx) => {
      const r = await this.rotationOf(tx, workspaceId, name);
      await tx.secretRotations.deleteRotation(r.secretId);
      await appendAudit(tx, this.deps.clock, caller.actor, {
        action: 'secret.rotation_cleared',
        target: name,
        details: { secretId: r.secretId },
      });
    });
  }

  async get(caller: VaultCaller, name: string): Promise<RotationView> {
    const { workspaceId } = this.check(caller, 'read', name);
    return viewOf(await this.rotationOf(this.deps.store, workspaceId, name));
  }

  /** The rotations of the secrets the caller may read. */
  async list(caller: VaultCaller): Promise<RotationView[]> {
    if (caller.actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    const all = await this.deps.store.secretRotations.listRotations(caller.actor.workspaceId);
    return all.filter((r) => canAccessSecret(caller.grants, 'read', r.secretName)).map(viewOf);
  }

  /** Rotates a secret now, whatever its schedule; answers its state after the attempt. */
  async rotateNow(caller: VaultCaller, name: string): Promise<RotationView & { version: number | null }> {
    const { workspaceId } = this.check(caller, 'write', name);
    const r = await this.rotationOf(this.deps.store, workspaceId, name);
    const outcome = await this.deps.runner.attempt(r, caller.actor);
    if ('busy' in outcome) throw new TesseraError('CONFLICT', 'A rotation of this secret is under way; try again when it ends.');
    const after = await this.rotationOf(this.deps.store, workspaceId, name);
    return { ...viewOf(after), version: outcome.rotated ? outcome.version : null };
  }

  private async rotationOf(repos: Pick<Store, 'getSecret' | 'secretRotations'>, workspaceId: string, name: string) {
    const secret = await repos.getSecret(workspaceId, name);
    const r = secret && (await repos.secretRotations.getRotation(secret.id));
    if (r === undefined) throw new TesseraError('NOT_FOUND', 'This secret has no rotation.');
    return r;
  }

  private async settingsOf(caller: VaultCaller, workspaceId: string, input: RotationInput): Promise<RotatorSettings> {
    if (input.rotator === 'postgres-alternating') {
      // It sets passwords on the database's logins with the connection's admin credentials: as
      // much as registering the connection, so it takes the same permission as that does.
      if (!hasPermission(caller.grants, 'databases:manage'))
        throw new TesseraError(
          'FORBIDDEN',
          "A PostgreSQL rotator sets passwords with a connection's admin login: it needs databases:manage.",
        );
      const [a, b] = input.usernames ?? [];
      if (input.usernames?.length !== 2 || a === b || ![a, b].every((u) => typeof u === 'string' && LOGIN_PATTERN.test(u)))
        throw new TesseraError(
          'VALIDATION_FAILED',
          'usernames must be two different PostgreSQL logins (letters, digits, "_", "$"; at most 63)',
        );
      const connection = await this.deps.store.databases.getConnection(workspaceId, input.connection);
      if (connection === undefined)
        throw new TesseraError('VALIDATION_FAILED', `No database connection is named "${String(input.connection).slice(0, 64)}".`);
      if (a === connection.username || b === connection.username)
        throw new TesseraError('VALIDATION_FAILED', "usernames may not include the connection's own admin login.");
      return { kind: 'postgres-alternating', connection: input.connection, usernames: [a!, b!] };
    }
    if (input.rotator === 'webhook') {
      if (typeof input.url !== 'string' || input.url.length > 2048) throw new TesseraError('VALIDATION_FAILED', 'url must be an https URL');
      await checkTargetOnSave(input.url, (this.lookup ??= hostLookup()), this.deps.policy);
      return { kind: 'webhook', url: input.url };
    }
    throw new TesseraError('VALIDATION_FAILED', 'rotator must be postgres-alternating or webhook');
  }

  private check(caller: VaultCaller, operation: 'read' | 'write', name: string): { workspaceId: string } {
    if (typeof name !== 'string' || !isSecretName(name)) throw new TesseraError('VALIDATION_FAILED', 'not a secret name');
    if (caller.actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    if (!canAccessSecret(caller.grants, operation, name))
      throw new TesseraError('FORBIDDEN', `This root key may not ${operation} the secret "${name}".`);
    return { workspaceId: caller.actor.workspaceId };
  }
}

/** `30d` / `12h` in seconds; null stays null (rotated only when asked). */
function parseEvery(every: string | null): number | null {
  if (every === null) return null;
  const m = typeof every === 'string' ? EVERY_PATTERN.exec(every) : null;
  if (m === null) throw new TesseraError('VALIDATION_FAILED', 'every must be N days or hours ("30d", "12h"), or null for manual only');
  const seconds = Number(m[1]) * (m[2] === 'd' ? 86_400 : 3_600);
  if (seconds > 3_650 * 86_400) throw new TesseraError('VALIDATION_FAILED', 'every must be at most 3650 days');
  return seconds;
}

function everyOf(seconds: number | null): string | null {
  if (seconds === null) return null;
  return seconds % 86_400 === 0 ? `${seconds / 86_400}d` : `${seconds / 3_600}h`;
}

function viewOf(r: SecretRotationRecord): RotationView {
  const { kind, ...settings } = r.settings;
  return {
    secret: r.secretName,
    rotator: kind,
    ...settings,
    every: everyOf(r.intervalSeconds),
    state: r.state,
    pending: r.pendingCiphertext !== null,
    nextRotationAt: r.state === 'rotating' ? null : r.nextAttemptAt,
    attempts: r.attempts,
    lastAttemptAt: r.lastAttemptAt,
    lastResult: r.lastResult,
    lastError: r.lastError,
    lastRotatedAt: r.lastRotatedAt,
  };
}
