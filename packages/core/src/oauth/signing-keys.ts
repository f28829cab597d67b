import { sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import { generateSigningKey, unwrapSigningKey } from './signing-key-material.js';
import type { MlDsa, RsaSigning } from './signing-workers.js';
import type { SigningAlg, SigningKeyRecord } from './oauth-records.js';
import type { OAuthStore } from './oauth-store.js';

export interface SigningKeyPolicy {
  /** How long a key signs before the next one takes over. */
  rotationMs: number;
  /** How long a retired key stays in the JWKS: at least the longest access-token lifetime. */
  retainMs: number;
}

export const DEFAULT_SIGNING_KEY_POLICY: SigningKeyPolicy = { rotationMs: 30 * 86_400_000, retainMs: 86_400_000 };

interface LoadedKey {
  record: SigningKeyRecord;
  /** A node:crypto key for the classical algorithms; the ML-DSA secret key otherwise. */
  privateKey: KeyObject | Uint8Array | null;
}

/** The role a published key plays: signs later, signs now, or only verifies what it signed. */
export type KeyState = 'next' | 'current' | 'previous';

/** What a JWKS may show of a key: public members only. */
export type PublicJwk = Record<string, unknown> & { kid: string; alg: string; use: 'sig' };

const signAsync = promisify(sign);

/**
 * The authorization server's signing keys. Each algorithm has a current key, a next key already
 * published a whole rotation period before it signs, and previous keys kept in the JWKS until
 * every token they signed has expired — so a verifier that caches the JWKS never meets an unknown
 * `kid`. Private keys are stored only as keyring ciphertexts bound to their `kid`.
 */
export class SigningKeys {
  private loaded = new Map<string, LoadedKey>();
  private readonly headers = new Map<string, string>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private forced: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      store: Pick<OAuthStore, 'listSigningKeys' | 'transaction'>;
      keyring: Keyring;
      clock: Clock;
      mlDsa: MlDsa;
      rsa: RsaSigning;
    },
    readonly policy: SigningKeyPolicy = DEFAULT_SIGNING_KEY_POLICY,
  ) {}

  /** Makes sure `alg` has a current and a next key; creates what is missing (audited). */
  async ensure(alg: SigningAlg): Promise<void> {
    await this.reload();
    const now = this.deps.clock.now();
    let current = this.currentRecord(alg, now);
    const created: SigningKeyRecord[] = [];
    if (current === undefined) {
      current = await this.generate(alg, now, now);
      created.push(current);
    }
    const hasNext = [...this.loaded.values()].some((k) => k.record.alg === alg && k.record.activatesAt >= current!.retiresAt);
    if (!hasNext) created.push(await this.generate(alg, current.retiresAt, now));
    if (created.length === 0) return;
    await this.deps.store.transaction(async (tx) => {
      for (const k of created) {
        await tx.insertSigningKey(k);
        await auditCreated(tx, this.deps.clock, k);
      }
    });
    await this.reload(true);
  }

  /** The scheduled step: every algorithm in use keeps a current and a next key. */
  async rotate(): Promise<void> {
    await this.reload(true);
    const algs = new Set<SigningAlg>(['EdDSA', ...[...this.loaded.values()].map((k) => k.record.alg)]);
    for (const alg of algs) await this.ensure(alg);
  }

  /** Signs a JWT with the current key of `alg`. */
  async signJwt(alg: SigningAlg, typ: string, claims: Record<string, unknown>): Promise<string> {
    if (this.stale(this.deps.clock.now())) await this.reload();
    let key = this.current(alg, this.deps.clock.now());
    if (key === undefined) {
      await this.ensure(alg);
      key = this.current(alg, this.deps.clock.now());
      if (key === undefined) throw new Error(`no signing key for ${alg}`);
    }
    const input = `${this.encodedHeader(alg, key.record.kid, typ)}.${b64json(claims)}`;
    const data = Buffer.from(input, 'ascii');
    let sig: Buffer;
    if (alg === 'ML-DSA-65') sig = await this.deps.mlDsa.sign(key.privateKey as Uint8Array, data);
    // RSA on the signing workers: at ~0.25 ms a signature it would hold libuv's small pool.
    else if (alg === 'RS256') sig = await this.deps.rsa.rsaSign(key.privateKey as KeyObject, data);
    // node:crypto directly rather than jose's WebCrypto path: the same bytes (Ed25519 is
    // deterministic; ECDSA as JWS's fixed-size r‖s), at a fraction of the cost. On libuv's thread
    // pool, not inline: inline, Ed25519 cost a busy event loop ~45 µs (22 in a tight loop), and
    // while the pool thread signs, the event loop reads and answers other requests.
    else if (alg === 'EdDSA') sig = await signAsync(null, data, key.privateKey as KeyObject);
    else sig = await signAsync('sha256', data, { key: key.privateKey as KeyObject, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  }

  /** The base64url JWS header for a key and `typ`: the same for every token it signs. */
  private encodedHeader(alg: SigningAlg, kid: string, typ: string): string {
    const id = `${kid} ${typ}`;
    let header = this.headers.get(id);
    if (header === undefined) {
      if (this.headers.size >= 64) this.headers.clear(); // keys rotate monthly; a handful of typs
      header = b64json({ alg, kid, typ });
      this.headers.set(id, header);
    }
    return header;
  }

  /** The public keys to publish: next, current and previous of every algorithm. */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    await this.reload();
    const now = this.deps.clock.now();
    return { keys: [...this.loaded.values()].filter((k) => k.record.expiresAt > now).map((k) => publicOf(k.record)) };
  }

  /** Keys to verify Tessera's own tokens with; reloads once if `kid` is not among them. */
  async verificationKeys(kid: unknown): Promise<PublicJwk[]> {
    await this.reload();
    if (typeof kid === 'string' && !this.loaded.has(kid) && this.deps.clock.now() - this.loadedAt > 1000) await this.reload(true);
    return (await this.jwks()).keys;
  }

  /**
   * Emergency retirement of `kid`: it leaves the JWKS now and verifies no token any more. When it
   * was signing, its algorithm's next key takes over at once (verifiers that cache the JWKS already
   * hold it), or, with none, a fresh key made before anything is retired; a new next key follows.
   */
  async retire(kid: string, actor: Actor, reason: string | undefined): Promise<{ kid: string; state: KeyState; successor: string | null }> {
    await this.reload(true);
    const now = this.deps.clock.now();
    const target = this.loaded.get(kid)?.record;
    if (target === undefined) throw new TesseraError('NOT_FOUND', 'No published signing key has this kid.');
    const state = this.stateOf(target, now);
    let successor: SigningKeyRecord | undefined;
    let made = false;
    if (state === 'current') {
      const next = [...this.loaded.values()]
        .map((k) => k.record)
        .filter((r) => r.alg === target.alg && r.activatesAt > now)
        .sort((a, b) => a.activatesAt - b.activatesAt)[0];
      const retiresAt = now + this.policy.rotationMs;
      if (next !== undefined) successor = { ...next, activatesAt: now, retiresAt, expiresAt: retiresAt + this.policy.retainMs };
      else [successor, made] = [await this.generate(target.alg, now, now), true];
    }
    await this.deps.store.transaction(async (tx) => {
      const times = { activatesAt: Math.min(target.activatesAt, now), retiresAt: Math.min(target.retiresAt, now), expiresAt: now };
      if (!(await tx.rescheduleSigningKey(kid, times))) throw new TesseraError('NOT_FOUND', 'No published signing key has this kid.');
      if (successor !== undefined && made) {
        await tx.insertSigningKey(successor);
        await auditCreated(tx, this.deps.clock, successor);
      } else if (successor !== undefined) await tx.rescheduleSigningKey(successor.kid, successor);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_signing_key.retired',
        target: kid,
        details: { alg: target.alg, state, successor: successor?.kid ?? null, ...(reason === undefined ? {} : { reason }) },
      });
    });
    await this.reload(true);
    await this.ensure(target.alg); // a new next key, published a whole period ahead again
    return { kid, state, successor: successor?.kid ?? null };
  }

  /** Which role each published key plays now, for operators and tests. */
  async describe(): Promise<
    { kid: string; alg: SigningAlg; state: KeyState; activatesAt: number; retiresAt: number; expiresAt: number }[]
  > {
    await this.reload();
    const now = this.deps.clock.now();
    return [...this.loaded.values()]
      .filter((k) => k.record.expiresAt > now)
      .map(({ record: r }) => ({
        kid: r.kid,
        alg: r.alg,
        state: this.stateOf(r, now),
        activatesAt: r.activatesAt,
        retiresAt: r.retiresAt,
        expiresAt: r.expiresAt,
      }));
  }

  private stateOf(r: SigningKeyRecord, now: number): KeyState {
    if (r.activatesAt > now) return 'next';
    return this.currentRecord(r.alg, now)?.kid === r.kid ? 'current' : 'previous';
  }

  private current(alg: SigningAlg, now: number): LoadedKey | undefined {
    const r = this.currentRecord(alg, now);
    return r && this.loaded.get(r.kid);
  }

  private currentRecord(alg: SigningAlg, now: number): SigningKeyRecord | undefined {
    let best: SigningKeyRecord | undefined;
    for (const { record: r } of this.loaded.values()) {
      if (r.alg === alg && r.activatesAt <= now && now < r.retiresAt && (best === undefined || r.activatesAt > best.activatesAt)) best = r;
    }
    return best;
  }

  /** Whether the keys in memory are due to be read again (every 30 seconds, or after the clock went back). */
  private stale(now: number): boolean {
    return now - this.loadedAt >= 30_000 || now < this.loadedAt;
  }

  /**
   * Loads the published keys from the store at most every 30 seconds, or now when forced (a key
   * was retired). While a forced read runs, every caller waits for it: no token is checked against
   * the keys from before a retirement once this node has heard of it.
   */
  async reload(force = false): Promise<void> {
    if (force) {
      const run = (async () => {
        if (this.loading !== undefined) await this.loading.catch(() => undefined); // it may have read before the change
        await this.load();
      })();
      this.forced = run;
      try {
        return await run;
      } finally {
        if (this.forced === run) this.forced = undefined;
      }
    }
    if (this.forced !== undefined) await this.forced.catch(() => undefined);
    if (!this.stale(this.deps.clock.now())) return;
    return this.loading ?? this.load();
  }

  private load(): Promise<void> {
    const loading = this.read();
    this.loading = loading;
    void loading.then(
      () => this.loading === loading && (this.loading = undefined),
      () => this.loading === loading && (this.loading = undefined),
    );
    return loading;
  }

  private async read(): Promise<void> {
    const now = this.deps.clock.now();
    const records = await this.deps.store.listSigningKeys(now);
    const next = new Map<string, LoadedKey>();
    for (const record of records) {
      // The times come from the store every time: a retirement moves them; the private key is kept.
      const privateKey = this.loaded.get(record.kid)?.privateKey ?? (await unwrapSigningKey(this.deps, record));
      next.set(record.kid, { record, privateKey });
    }
    this.loaded = next;
    this.loadedAt = now;
  }

  private generate(alg: SigningAlg, activatesAt: number, now: number): Promise<SigningKeyRecord> {
    return generateSigningKey(this.deps, alg, { now, activatesAt, ...this.policy });
  }
}

/** A key made (by the scheduled rotation, or in a retirement's place): the system's doing, in no workspace. */
function auditCreated(tx: Parameters<typeof appendAudit>[0], clock: Clock, k: SigningKeyRecord) {
  const details = { alg: k.alg, activatesAt: new Date(k.activatesAt).toISOString(), retiresAt: new Date(k.retiresAt).toISOString() };
  return appendAudit(
    tx,
    clock,
    { id: 'system', workspaceId: null, ip: null },
    { action: 'oauth_signing_key.created', target: k.kid, details },
  );
}

function publicOf(r: SigningKeyRecord): PublicJwk {
  return { ...r.publicJwk, kid: r.kid, alg: r.alg, use: 'sig' };
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
}
