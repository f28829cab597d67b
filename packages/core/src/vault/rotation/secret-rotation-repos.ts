/** The rotators there are: PostgreSQL's alternating users, and an integrator's endpoint. */
export const ROTATOR_KINDS = ['postgres-alternating', 'webhook'] as const;
export type RotatorKind = (typeof ROTATOR_KINDS)[number];

/** A rotator's settings as stored: names and a URL, never a secret. */
export type RotatorSettings =
  { kind: 'postgres-alternating'; connection: string; usernames: [string, string] } | { kind: 'webhook'; url: string };

/** The schedule's form in the API: every N days or hours (`30d`, `12h`). */
export const EVERY_PATTERN = /^([1-9][0-9]{0,3})([dh])$/;

/** How the last attempt ended. */
export type RotationResult = 'succeeded' | 'failed';

/**
 * A secret's rotation: its rotator and schedule, and its place in the runner's queue. `idle`
 * until a node claims it; `rotating` while a node attempts it, `nextAttemptAt` then being the
 * end of that claim (past it, another node may take over).
 */
export interface SecretRotationRecord {
  secretId: string;
  workspaceId: string;
  secretName: string;
  settings: RotatorSettings;
  /** A webhook rotator's signing secret, as keyring ciphertext bound to `secret_rotation:<secretId>`. */
  signingSecretCiphertext: string | null;
  /** Every this many seconds; null: only when asked. */
  intervalSeconds: number | null;
  state: 'idle' | 'rotating';
  /** The next scheduled rotation or retry; the end of the claim while rotating; null: none (manual). */
  nextAttemptAt: number | null;
  /** Failed attempts since the last success. */
  attempts: number;
  lastAttemptAt: number | null;
  lastResult: RotationResult | null;
  /** Why the last attempt failed (no secret in it); null after a success. */
  lastError: string | null;
  lastRotatedAt: number | null;
  /**
   * The new value while it awaits confirmation, as keyring ciphertext bound to
   * `secret_rotation_pending:<secretId>`: not a version yet, so readers keep the current one.
   */
  pendingCiphertext: string | null;
  pendingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What an attempt's end writes. */
export type RotationOutcome = Pick<SecretRotationRecord, 'nextAttemptAt' | 'attempts' | 'lastAttemptAt' | 'lastResult' | 'lastError'> & {
  lastRotatedAt?: number | undefined;
};

/**
 * The storage port of secret rotations. A claim is a compare-and-set on `nextAttemptAt`, so that
 * nodes sharing the store never rotate one secret at once; an attempt's outcome is written only
 * while its claim holds.
 */
export interface SecretRotationRepos {
  /** Creates or replaces a secret's rotation (settings, schedule and queue position). */
  putRotation(r: SecretRotationRecord): Promise<void>;
  getRotation(secretId: string): Promise<SecretRotationRecord | undefined>;
  /** A workspace's rotations, by secret name. */
  listRotations(workspaceId: string): Promise<SecretRotationRecord[]>;
  deleteRotation(secretId: string): Promise<void>;
  /** Rotations due at `now` (scheduled, retried, or claimed by a node whose claim lapsed), oldest first. */
  listDueRotations(now: number, limit: number): Promise<SecretRotationRecord[]>;
  /**
   * Takes a rotation for one attempt: if `nextAttemptAt` is still `expected` and it is idle or its
   * claim ended before `now`, it becomes `rotating` until `claimUntil`. One caller wins.
   */
  claimRotation(secretId: string, expected: number | null, now: number, claimUntil: number): Promise<boolean>;
  /** Keeps (or with null, drops) the value awaiting confirmation, if the claim made until `claimUntil` still holds. */
  setPending(secretId: string, claimUntil: number, pending: { ciphertext: string; since: number } | null): Promise<boolean>;
  /** Writes an attempt's outcome, drops any pending value and makes the rotation idle, if the claim made until `claimUntil` still holds. */
  finishRotation(secretId: string, claimUntil: number, outcome: RotationOutcome): Promise<boolean>;
}
