import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { TargetError } from '../../databases/database-target.js';
import { newId } from '../../ids.js';
import { attemptEach, DueWork, retryAt, type ClaimedWorkOptions } from '../../lifecycle/due-work.js';
import type { Store } from '../../store/store.js';
import { secretAad } from '../vault-service.js';
import { RotationError, type RotationRequest, type Rotator } from './rotator.js';
import type { RotatorKind, SecretRotationRecord } from './secret-rotation-repos.js';

/** How often due rotations are looked for, how long a node holds one, the retries' backoff. */
export type RotationRunnerOptions = ClaimedWorkOptions;

export const ROTATION_RUNNER_DEFAULTS: RotationRunnerOptions = {
  intervalMs: 30_000,
  claimMs: 120_000,
  backoffSeconds: [30, 120, 600, 1_800, 3_600, 10_800],
};

/** A failed attempt as the server log records it (the message names no secret). */
export interface RotationFailure {
  secret: string;
  attempts: number;
  message: string;
}

/** How an attempt ended: a new current version, a failure (retried later), or another node had it. */
export type AttemptOutcome = { rotated: true; version: number } | { rotated: false; error: string } | { rotated: false; busy: true };

export interface RotationRunnerDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  rotators: Record<RotatorKind, Rotator>;
  onFailure?: ((failure: RotationFailure) => void) | undefined;
}

/** The associated data of a rotation's signing secret and of its pending value. */
export const signingSecretAad = (secretId: string) => `secret_rotation:${secretId}`;
const pendingAad = (secretId: string) => `secret_rotation_pending:${secretId}`;

/**
 * Rotates vault secrets that are due, from any node: each attempt is claimed in the store first
 * (two nodes never rotate one secret at once); the rotator makes the next value, which is kept
 * pending — readers still get the current version — until the rotator confirms it, and only then
 * becomes a new version. A failure drops the pending value, is audited (and so sent as the
 * `secret.rotation_failed` webhook event) and is retried with backoff.
 */
export class SecretRotationRunner extends DueWork {
  constructor(
    private readonly deps: RotationRunnerDeps,
    private readonly o: RotationRunnerOptions = ROTATION_RUNNER_DEFAULTS,
    onError: (err: unknown) => void = () => {},
  ) {
    super(o.intervalMs, onError);
  }

  /** Attempts every rotation due now; answers how many this node attempted. */
  protected async round(): Promise<number> {
    const due = await this.deps.store.secretRotations.listDueRotations(this.deps.clock.now(), 20);
    return attemptEach(due, async (r) => !('busy' in (await this.attempt(r))));
  }

  /**
   * One attempt at one rotation, if this node wins the claim on it. Scheduled (no `actor`): only
   * when due; asked for by `actor`: at once, unless another node holds it.
   */
  async attempt(r: SecretRotationRecord, actor?: Actor): Promise<AttemptOutcome> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (actor === undefined && (r.nextAttemptAt === null || r.nextAttemptAt > now)) return { rotated: false, busy: true };
    const claimUntil = now + this.o.claimMs;
    if (!(await store.secretRotations.claimRotation(r.secretId, r.nextAttemptAt, now, claimUntil))) return { rotated: false, busy: true };
    const by = actor ?? { id: 'system:rotation', workspaceId: r.workspaceId, ip: null };
    const attempts = r.attempts + 1;
    const secrets: string[] = [];
    try {
      const { request, version } = await this.prepare(r, secrets);
      const rotator = this.deps.rotators[r.settings.kind];
      const value = await rotator.create(request);
      secrets.push(value);
      const plain = Buffer.from(value, 'utf8');
      const pending = await this.deps.keyring.encrypt(plain, pendingAad(r.secretId), { workspaceId: r.workspaceId });
      const ciphertext = await this.deps.keyring.encrypt(plain, secretAad(r.secretId, version + 1), { workspaceId: r.workspaceId });
      plain.fill(0);
      if (!(await store.secretRotations.setPending(r.secretId, claimUntil, { ciphertext: pending, since: clock.now() })))
        return { rotated: false, busy: true };
      await rotator.confirm(request, value);
      return await this.promote(r, {
        claimUntil,
        version,
        ciphertext,
        attempts,
        by,
        trigger: actor === undefined ? 'schedule' : 'request',
      });
    } catch (err) {
      const error = safeMessage(err, secrets);
      this.deps.onFailure?.({ secret: r.secretName, attempts, message: err instanceof Error ? scrub(err.message, secrets) : error });
      return this.fail(r, { claimUntil, attempts, error, by });
    }
  }

  /** The rotator's request: the current value decrypted, and the signing secret of a webhook. */
  private async prepare(r: SecretRotationRecord, secrets: string[]): Promise<{ request: RotationRequest; version: number }> {
    const secret = await this.deps.store.getSecret(r.workspaceId, r.secretName);
    if (secret === undefined || secret.id !== r.secretId) throw new RotationError('the secret is gone');
    const row = await this.deps.store.getSecretVersion(secret.id, secret.currentVersion);
    if (row === undefined) throw new RotationError('the secret has no current version');
    const current = await this.deps.keyring.decrypt(row.ciphertext, secretAad(secret.id, secret.currentVersion));
    let signingSecret: string | null = null;
    if (r.signingSecretCiphertext !== null) {
      const s = await this.deps.keyring.decrypt(r.signingSecretCiphertext, signingSecretAad(r.secretId));
      signingSecret = s.toString('utf8');
      s.fill(0);
      secrets.push(signingSecret);
    }
    const currentValue = current.toString('utf8');
    current.fill(0);
    secrets.push(currentValue);
    const request: RotationRequest = {
      workspaceId: r.workspaceId,
      secretName: r.secretName,
      rotationId: newId('secretRotation', this.deps.clock.now()),
      currentVersion: secret.currentVersion,
      currentValue,
      settings: r.settings,
      signingSecret,
    };
    return { request, version: secret.currentVersion };
  }

  /** The confirmed value becomes the current version, in the transaction that ends the claim. */
  private async promote(
    r: SecretRotationRecord,
    a: { claimUntil: number; version: number; ciphertext: string; attempts: number; by: Actor; trigger: string },
  ): Promise<AttemptOutcome> {
    const { store, clock } = this.deps;
    const at = clock.now();
    const version = a.version + 1;
    const done = await store.transaction(async (tx) => {
      const secret = await tx.getSecret(r.workspaceId, r.secretName, { lock: true });
      if (secret?.id !== r.secretId || secret.currentVersion !== a.version)
        throw new RotationError('the secret was written during the rotation');
      const finished = await tx.secretRotations.finishRotation(r.secretId, a.claimUntil, {
        nextAttemptAt: r.intervalSeconds === null ? null : at + r.intervalSeconds * 1000,
        attempts: 0,
        lastAttemptAt: at,
        lastResult: 'succeeded',
        lastError: null,
        lastRotatedAt: at,
      });
      if (!finished) return false; // the claim lapsed and another node took over
      await tx.insertSecretVersion({ secretId: r.secretId, version, ciphertext: a.ciphertext, createdAt: at, createdBy: a.by.id });
      await tx.updateSecret(r.secretId, { currentVersion: version, updatedAt: at });
      await appendAudit(tx, clock, a.by, {
        action: 'secret.rotated',
        target: r.secretName,
        details: {
          secretId: r.secretId,
          version,
          previousVersion: a.version,
          rotator: r.settings.kind,
          attempts: a.attempts,
          trigger: a.trigger,
        },
      });
      return true;
    });
    return done ? { rotated: true, version } : { rotated: false, busy: true };
  }

  private async fail(
    r: SecretRotationRecord,
    a: { claimUntil: number; attempts: number; error: string; by: Actor },
  ): Promise<AttemptOutcome> {
    const { store, clock } = this.deps;
    const at = clock.now();
    const nextAttemptAt = retryAt(this.o.backoffSeconds, a.attempts, at);
    await store.transaction(async (tx) => {
      const finished = await tx.secretRotations.finishRotation(r.secretId, a.claimUntil, {
        nextAttemptAt,
        attempts: a.attempts,
        lastAttemptAt: at,
        lastResult: 'failed',
        lastError: a.error,
      });
      if (!finished) return;
      await appendAudit(tx, clock, a.by, {
        action: 'secret.rotation_failed',
        target: r.secretName,
        details: {
          secretId: r.secretId,
          rotator: r.settings.kind,
          attempts: a.attempts,
          error: a.error,
          nextAttemptAt: new Date(nextAttemptAt).toISOString(),
        },
      });
    });
    return { rotated: false, error: a.error };
  }
}

/** A failure as the API and the audit log show it: a rotator's or target's own safe message, else a generic one. */
function safeMessage(err: unknown, secrets: string[]): string {
  const known = err instanceof RotationError || err instanceof TargetError;
  return scrub(known ? (err as Error).message : 'internal error (see the server log)', secrets).slice(0, 500);
}

function scrub(message: string, secrets: string[]): string {
  for (const s of secrets) if (s.length >= 4) message = message.split(s).join('[redacted]');
  return message;
}
