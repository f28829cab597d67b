import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { IdempotencyRecord, IdempotencyRepos } from './idempotency-repos.js';
import { every, type Ticker } from '../lifecycle/every.js';

/** How long a key's first outcome is kept and replayed (Stripe's convention). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An attempt unfinished after this long is taken to be abandoned (its node stopped): a retry runs again. */
export const IDEMPOTENCY_ABANDONED_MS = 60_000;
/** What an `Idempotency-Key` may be: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  /** `root_key:<id>` or `user:<id>`. */
  principal: string;
  /** The principal's workspace: the answer is encrypted under its data key. */
  workspaceId: string | null;
  key: string;
  method: string;
  /** The path as sent (with its parameters), without the query. */
  path: string;
  body: unknown;
}

/** The attempt that holds a key, to finish it with {@link IdempotencyService.complete} or {@link IdempotencyService.release}. */
export interface IdempotencyClaim {
  principal: string;
  workspaceId: string | null;
  key: string;
  claim: string;
}

export interface StoredAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

export type IdempotencyStart =
  { kind: 'claimed'; claim: IdempotencyClaim } | ({ kind: 'replay' } & StoredAnswer) | { kind: 'mismatch' } | { kind: 'in_progress' };

export interface IdempotencyDeps {
  store: { readonly idempotency: IdempotencyRepos };
  keyring: Keyring;
  clock: Clock;
}

/**
 * Idempotency keys: the first request under a key runs; a retry within 24 hours gets its
 * outcome (status and body) back. Answers are stored encrypted by the keyring, bound to their
 * record, since a created key or secret is in them; nothing is stored in the clear.
 */
export class IdempotencyService {
  private ticker: Ticker | undefined;

  constructor(
    private readonly deps: IdempotencyDeps,
    private readonly options: { sweepEveryMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Claims the key for this request, or says what the first request under it came to. */
  async begin(r: IdempotentRequest): Promise<IdempotencyStart> {
    const repos = this.deps.store.idempotency;
    const version = this.deps.keyring.currentPepperVersion;
    const fingerprint = `${version}.${this.fingerprint(r, version)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.deps.clock.now();
      const record: IdempotencyRecord = {
        principal: r.principal,
        key: r.key,
        fingerprint,
        claim: randomBytes(12).toString('base64url'),
        createdAt: now,
        expiresAt: now + IDEMPOTENCY_TTL_MS,
        status: null,
        response: null,
      };
      const claimed = {
        kind: 'claimed',
        claim: { principal: r.principal, workspaceId: r.workspaceId, key: r.key, claim: record.claim },
      } as const;
      if (await repos.claimIdempotencyKey(record)) return claimed;
      const existing = await repos.getIdempotencyKey(r.principal, r.key);
      if (existing === undefined) continue; // swept in between: claim again
      const abandoned = existing.status === null && existing.createdAt <= now - IDEMPOTENCY_ABANDONED_MS;
      if (existing.expiresAt <= now || abandoned) {
        if (await repos.reclaimIdempotencyKey(record, now, now - IDEMPOTENCY_ABANDONED_MS)) return claimed;
        continue; // another attempt reclaimed it first: look again
      }
      if (!this.sameRequest(r, existing.fingerprint)) return { kind: 'mismatch' };
      if (existing.status === null || existing.response === null) return { kind: 'in_progress' };
      const plain = await this.deps.keyring.decrypt(existing.response, aad(existing));
      return { kind: 'replay', ...(JSON.parse(plain.toString('utf8')) as StoredAnswer) };
    }
    return { kind: 'in_progress' };
  }

  /** Keeps the outcome of the claimed attempt for its retries. */
  async complete(c: IdempotencyClaim, answer: StoredAnswer): Promise<void> {
    const ciphertext = await this.deps.keyring.encrypt(Buffer.from(JSON.stringify(answer), 'utf8'), aad(c), {
      workspaceId: c.workspaceId,
    });
    await this.deps.store.idempotency.completeIdempotencyKey(c.principal, c.key, c.claim, answer.status, ciphertext);
  }

  /** Lets the key go without an outcome (the attempt failed on our side), so that a retry runs again. */
  async release(c: IdempotencyClaim): Promise<void> {
    await this.deps.store.idempotency.releaseIdempotencyKey(c.principal, c.key, c.claim);
  }

  /** Deletes the records that expired; the number deleted. */
  sweep(): Promise<number> {
    return this.deps.store.idempotency.sweepIdempotencyKeys(this.deps.clock.now());
  }

  /** Sweeps every `sweepEveryMs` (default 10 minutes) until {@link stop}. */
  start(): void {
    this.ticker ??= every(
      this.options.sweepEveryMs ?? 600_000,
      () => this.sweep(),
      (err) => this.options.onError?.(err),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }

  /** A keyed hash, so that a stored fingerprint tells nothing of a body that held a secret. */
  private fingerprint(r: IdempotentRequest, version: number): string {
    return this.deps.keyring.hash('idempotency', JSON.stringify([r.method, r.path, r.principal, r.body ?? null]), version);
  }

  private sameRequest(r: IdempotentRequest, stored: string): boolean {
    const dot = stored.indexOf('.');
    const version = Number(stored.slice(0, dot));
    if (!this.deps.keyring.pepperVersions.includes(version)) return false;
    const a = Buffer.from(this.fingerprint(r, version));
    const b = Buffer.from(stored.slice(dot + 1));
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Binds an answer's ciphertext to its record and attempt: copied to another record, it does not decrypt. */
function aad(r: { principal: string; key: string; claim: string }): string {
  return `idempotency:${JSON.stringify([r.principal, r.key, r.claim])}`;
}
