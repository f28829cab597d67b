import type { RotatorSettings } from './secret-rotation-repos.js';

/** What a rotator is told about one rotation attempt. */
export interface RotationRequest {
  workspaceId: string;
  secretName: string;
  /** Unique per attempt: both steps of a webhook rotation carry it. */
  rotationId: string;
  currentVersion: number;
  /** The current value (a rotator that alternates reads which login is current from it). */
  currentValue: string;
  settings: RotatorSettings;
  /** A webhook rotator's signing secret. */
  signingSecret: string | null;
}

/**
 * A pluggable rotator: makes a new credential that is not current yet, then proves it works (or
 * has its owner confirm it). Until `confirm` succeeds the vault keeps serving the current value;
 * a rotator must therefore leave the current credential working while it makes the next one.
 */
export interface Rotator {
  /** Makes the next credential; answers the value the secret will hold. */
  create(request: RotationRequest): Promise<string>;
  /** Proves `value` works; throws a {@link RotationError} when it does not. */
  confirm(request: RotationRequest, value: string): Promise<void>;
}

/** A rotation step refused or failed; the message names no secret and is safe to show. */
export class RotationError extends Error {
  override readonly name = 'RotationError';
}
