import {
  PostgresAlternatingRotator,
  ROTATION_RUNNER_DEFAULTS,
  SecretRotationRunner,
  SecretRotations,
  WebhookRotator,
  type Clock,
  type DatabaseTarget,
  type Keyring,
  type RotationFailure,
  type RotationRunnerOptions,
  type Store,
  type WebhookTargetPolicy,
} from '@tessera/core';
import { PostgresTarget } from '../adapters/database-target/postgres-target.js';

export interface SecretRotationOptions {
  /** The PostgreSQL engine the alternating-users rotator uses (default: PostgreSQL over `pg`). */
  target?: DatabaseTarget;
  /** The runner's interval, claim and backoff (defaults in core's secret-rotation-runner.ts). */
  runner?: Partial<RotationRunnerOptions>;
  /** How long a webhook rotator's endpoint has to answer each step (ms, default 10 s). */
  webhookTimeoutMs?: number;
  /** A rotation attempt failed: for the server log (the rotation shows the same message). */
  onFailure?: (failure: RotationFailure) => void;
}

/** Rotation of vault secrets: the rotators, the runner that rotates what is due, and the settings API. */
export function createSecretRotationServices(
  deps: { store: Store; keyring: Keyring; clock: Clock; policy: WebhookTargetPolicy; onError?: ((err: unknown) => void) | undefined },
  o: SecretRotationOptions = {},
) {
  const { store, keyring, clock, policy } = deps;
  const rotators = {
    'postgres-alternating': new PostgresAlternatingRotator({ store, keyring, target: o.target ?? new PostgresTarget() }),
    webhook: new WebhookRotator({ clock, policy, timeoutMs: o.webhookTimeoutMs ?? 10_000 }),
  };
  const runner = new SecretRotationRunner(
    { store, keyring, clock, rotators, onFailure: o.onFailure },
    { ...ROTATION_RUNNER_DEFAULTS, ...o.runner },
    deps.onError,
  );
  return { runner, rotations: new SecretRotations({ store, keyring, clock, runner, policy }) };
}
