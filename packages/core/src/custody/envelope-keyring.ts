import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import { KeyringError, type KekProvider } from './kek-provider.js';
import { MemoryKeyringRepos, type KeyringRepos, type WrappedKeyRecord } from './custody-repos.js';
import { LocalKek } from './local-kek.js';
import { HASH_LABELS, type HashDomain, type PepperInput } from './hash-domain.js';

/**
 * The keyring holds the secrets Tessera derives everything else from: the versioned pepper that
 * keys API-key hashes, and the data keys of envelope encryption (docs/key-custody.md).
 */
export interface Keyring {
  /** The pepper version new hashes use. */
  readonly currentPepperVersion: number;
  /**
   * HMAC-SHA256 of `value` in its `domain` under pepper version `version` (default: the current
   * one), as base64url. A labelled pepper hashes `tessera:<domain>` NUL `<value>`; a plain one
   * (made by 0.1.0) the value alone. Throws for an unknown version.
   */
  hash(domain: HashDomain, value: string, version?: number): string;
  /** Every pepper version, newest first, for lookups of keys hashed before a rotation. */
  readonly pepperVersions: readonly number[];
  /**
   * Encrypts a secret for storage. `aad` binds the ciphertext to its row and purpose
   * (e.g. `oauth_signing_key:<kid>`), so a ciphertext copied to another row does not decrypt.
   * The result is a self-describing string that carries its data key's scope and version.
   * `workspaceId` picks the workspace's data key; without it, the instance's.
   */
  encrypt(plaintext: Buffer, aad: string, options?: EncryptOptions): Promise<string>;
  /** Decrypts what `encrypt` produced with the same `aad`; throws if either was altered. */
  decrypt(ciphertext: string, aad: string): Promise<Buffer>;
}

export interface EncryptOptions {
  workspaceId?: string | null | undefined;
}

/** The scope of keys that belong to the whole instance rather than one workspace. */
export const INSTANCE_SCOPE = 'instance';
const SCOPE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const FORMAT = 'v1';

export interface RotationProgress {
  (done: number, total: number): void;
}

/**
 * Envelope encryption: AES-256-GCM data keys, one series per workspace, wrapped by the KEK of a
 * {@link KekProvider} and kept wrapped in the store. Ciphertexts read
 * `v1.<scope>.<dataKeyVersion>.<iv>.<ciphertext>.<tag>` (base64url parts); the GCM associated
 * data is `tessera/v1|<scope>|<version>|<aad>`, so neither the header nor the row binding can be
 * changed. Unwrapped keys are imported once as KeyObjects and kept for the life of the process.
 */
export class EnvelopeKeyring implements Keyring {
  currentPepperVersion: number;
  pepperVersions: readonly number[];
  private readonly peppers = new Map<number, Pepper>();
  private readonly dataKeys = new Map<string, Map<number, KeyObject>>();
  private readonly currentDataKey = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();

  protected constructor(
    readonly kek: KekProvider,
    private readonly repos: KeyringRepos,
    peppers: ReadonlyMap<number, { key: Buffer; input: PepperInput }>,
    private readonly clock: Clock,
  ) {
    for (const [v, p] of peppers) this.peppers.set(v, { key: createSecretKey(p.key), labelled: p.input === 'labelled' });
    this.pepperVersions = [];
    this.currentPepperVersion = 0;
    this.sortPeppers();
  }

  /**
   * Opens the keyring over its store: unwraps every pepper. With `create`, a store without a
   * pepper gets its first one, labelled (what `tessera init` does); without it, that is an error.
   */
  static async open(o: { kek: KekProvider; repos: KeyringRepos; clock?: Clock; create?: boolean }): Promise<EnvelopeKeyring> {
    const clock = o.clock ?? { now: () => Date.now() };
    const keyring = new EnvelopeKeyring(o.kek, o.repos, new Map(), clock);
    await keyring.refresh();
    if (keyring.peppers.size === 0) {
      if (!o.create) throw new KeyringError('the database holds no keyring: run tessera init first', 'config');
      await keyring.rotatePepper();
    }
    return keyring;
  }

  hash(domain: HashDomain, value: string, version = this.currentPepperVersion): string {
    const pepper = this.peppers.get(version);
    if (pepper === undefined) throw new Error(`unknown pepper version ${version}`);
    const label = HASH_LABELS[domain];
    if (label === undefined) throw new Error(`unknown hash domain ${String(domain)}`);
    const hmac = createHmac('sha256', pepper.key);
    if (pepper.labelled) hmac.update(label);
    return hmac.update(value).digest('base64url');
  }

  /** How pepper `version` forms its HMAC input; throws for an unknown version. */
  pepperInput(version = this.currentPepperVersion): PepperInput {
    const pepper = this.peppers.get(version);
    if (pepper === undefined) throw new Error(`unknown pepper version ${version}`);
    return pepper.labelled ? 'labelled' : 'plain';
  }

  async encrypt(plaintext: Buffer, aad: string, options: EncryptOptions = {}): Promise<string> {
    const scope = options.workspaceId ?? INSTANCE_SCOPE;
    if (!SCOPE_PATTERN.test(scope)) throw new TesseraError('VALIDATION_FAILED', 'invalid keyring scope');
    const { version, key } = await this.current(scope);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(associatedData(scope, version, aad));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [
      FORMAT,
      scope,
      String(version),
      iv.toString('base64url'),
      ct.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  async decrypt(ciphertext: string, aad: string): Promise<Buffer> {
    const parts = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
    const [format, scope, versionText, iv, ct, tag] = parts;
    if (parts.length !== 6 || format !== FORMAT || !SCOPE_PATTERN.test(scope!) || !/^[1-9]\d{0,8}$/.test(versionText!)) {
      throw new TesseraError('DECRYPTION_FAILED', 'A stored ciphertext is not in a format this keyring reads.');
    }
    const version = Number(versionText);
    const key = await this.dataKey(scope!, version);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'));
      decipher.setAAD(associatedData(scope!, version, aad));
      decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct!, 'base64url')), decipher.final()]);
    } catch {
      throw new TesseraError(
        'DECRYPTION_FAILED',
        'A stored ciphertext failed its integrity check: it was altered, or it belongs to another row.',
      );
    }
  }

  /**
   * Re-reads the store: peppers and data keys, including those made by another process (after a
   * rotation). `open` calls it, and a server calls it on a timer — never inside a transaction, so
   * encrypting inside one (SQLite has a single connection) does not need the store.
   */
  async refresh(): Promise<void> {
    for (const row of await this.repos.listWrappedKeys()) {
      if (row.purpose === 'pepper') {
        if (!this.peppers.has(row.version)) {
          this.peppers.set(row.version, { key: createSecretKey(await this.unwrap(row)), labelled: row.hmacInput === 'labelled' });
        }
        continue;
      }
      const keys = this.keysOf(row.scope);
      if (!keys.has(row.version)) {
        try {
          keys.set(row.version, createSecretKey(await this.unwrap(row)));
        } catch (err) {
          // One damaged data key must not stop the instance: what it encrypted fails to decrypt, the rest works.
          if (err instanceof TesseraError && err.code === 'DECRYPTION_FAILED') continue;
          throw err;
        }
      }
      if (row.version > (this.currentDataKey.get(row.scope) ?? 0)) this.currentDataKey.set(row.scope, row.version);
    }
    this.sortPeppers();
  }

  /**
   * Makes sure a scope (a workspace) has a data key. Call it when a workspace is created, outside
   * any transaction: the first encryption for a scope without one has to write it to the store.
   */
  async ensureDataKey(workspaceId: string | null = null): Promise<number> {
    return (await this.current(workspaceId ?? INSTANCE_SCOPE)).version;
  }

  /**
   * Makes a new pepper version, labelled: new keys hash with it; keys hashed before keep verifying
   * under their own version (and API keys move to the new one when next verified).
   */
  async rotatePepper(): Promise<number> {
    const version = (this.pepperVersions[0] ?? 0) + 1;
    const pepper = randomBytes(32);
    await this.insert(
      INSTANCE_SCOPE,
      'pepper',
      version,
      pepper,
      'another process rotated the pepper at the same time; run the rotation again',
      'labelled',
    );
    this.peppers.set(version, { key: createSecretKey(pepper), labelled: true });
    this.sortPeppers();
    return version;
  }

  /**
   * Makes a new data key version in every scope that has data keys (or the given ones). New
   * ciphertexts use it; old ones stay readable with their own version. Nothing is re-encrypted.
   */
  async rotateDataKeys(scopes?: readonly string[]): Promise<{ scope: string; version: number }[]> {
    const rows = await this.repos.listWrappedKeys({ purpose: 'data' });
    const latest = new Map<string, number>();
    for (const r of rows) latest.set(r.scope, Math.max(latest.get(r.scope) ?? 0, r.version));
    const out: { scope: string; version: number }[] = [];
    for (const scope of scopes ?? [...latest.keys()]) {
      const version = (latest.get(scope) ?? 0) + 1;
      const key = randomBytes(32);
      await this.insert(scope, 'data', version, key, 'another process rotated the data keys at the same time; run the rotation again');
      this.keysOf(scope).set(version, createSecretKey(key));
      this.currentDataKey.set(scope, version);
      out.push({ scope, version });
    }
    return out;
  }

  /**
   * Makes a new KEK version and re-wraps every data key and pepper under it — no data is
   * re-encrypted. Safe to re-run after an interruption: keys already under the newest KEK are skipped.
   */
  async rotateKek(progress?: RotationProgress): Promise<{ kekVersion: number; rewrapped: number }> {
    const kekVersion = await this.kek.rotate();
    const rewrapped = await this.rewrapAll(progress);
    return { kekVersion, rewrapped };
  }

  /** Re-wraps every key not yet under the current KEK version (finishes an interrupted rotation). */
  async rewrapAll(progress?: RotationProgress): Promise<number> {
    const target = this.kek.currentVersion();
    const rows = (await this.repos.listWrappedKeys()).filter((r) => r.kekVersion !== target);
    let done = 0;
    progress?.(0, rows.length);
    for (const row of rows) {
      const key = await this.unwrap(row);
      const { kekVersion, wrapped } = await this.kek.wrap(key, context(row.scope, row.purpose, row.version));
      key.fill(0);
      await this.repos.rewrapKey(row.id, row.kekVersion, kekVersion, wrapped.toString('base64url'));
      done++;
      progress?.(done, rows.length);
    }
    return done;
  }

  /** Versions in use, for `tessera keyring status`. */
  async status(): Promise<{
    provider: string;
    kekVersion: number;
    pepperVersion: number;
    /** How the current pepper forms its HMAC input (`plain` until an upgraded instance rotates it). */
    pepperInput: PepperInput;
    dataKeys: { scope: string; version: number; kekVersion: number }[];
  }> {
    const rows = await this.repos.listWrappedKeys({ purpose: 'data' });
    return {
      provider: this.kek.kind,
      kekVersion: this.kek.currentVersion(),
      pepperVersion: this.currentPepperVersion,
      pepperInput: this.pepperInput(),
      dataKeys: rows.map((r) => ({ scope: r.scope, version: r.version, kekVersion: r.kekVersion })),
    };
  }

  async close(): Promise<void> {
    await this.kek.close();
  }

  private async current(scope: string): Promise<{ version: number; key: KeyObject }> {
    let version = this.currentDataKey.get(scope);
    if (version === undefined) {
      await this.loadScope(scope);
      version = this.currentDataKey.get(scope);
      if (version === undefined) {
        const key = randomBytes(32);
        if (await this.insert(scope, 'data', 1, key)) {
          this.keysOf(scope).set(1, createSecretKey(key));
          this.currentDataKey.set(scope, 1);
        } else {
          await this.loadScope(scope); // another node made it first
        }
        version = this.currentDataKey.get(scope)!;
      }
    }
    return { version, key: this.keysOf(scope).get(version)! };
  }

  private async dataKey(scope: string, version: number): Promise<KeyObject> {
    let key = this.dataKeys.get(scope)?.get(version);
    if (key === undefined) {
      await this.loadScope(scope);
      key = this.dataKeys.get(scope)?.get(version);
    }
    if (key === undefined) throw new TesseraError('DECRYPTION_FAILED', 'A stored ciphertext names a data key this keyring does not hold.');
    return key;
  }

  private loadScope(scope: string): Promise<void> {
    let p = this.loading.get(scope);
    if (p === undefined) {
      p = (async () => {
        const rows = await this.repos.listWrappedKeys({ scope, purpose: 'data' });
        const keys = this.keysOf(scope);
        for (const row of rows) if (!keys.has(row.version)) keys.set(row.version, createSecretKey(await this.unwrap(row)));
        if (rows.length > 0) this.currentDataKey.set(scope, Math.max(...rows.map((r) => r.version)));
      })().finally(() => this.loading.delete(scope));
      this.loading.set(scope, p);
    }
    return p;
  }

  private keysOf(scope: string): Map<number, KeyObject> {
    let keys = this.dataKeys.get(scope);
    if (keys === undefined) this.dataKeys.set(scope, (keys = new Map()));
    return keys;
  }

  private async unwrap(row: WrappedKeyRecord): Promise<Buffer> {
    try {
      return await this.kek.unwrap(row.kekVersion, Buffer.from(row.wrapped, 'base64url'), context(row.scope, row.purpose, row.version));
    } catch (err) {
      if (err instanceof KeyringError && err.reason !== 'integrity') throw new TesseraError('KEYRING_UNAVAILABLE', err.message);
      throw new TesseraError(
        'DECRYPTION_FAILED',
        err instanceof KeyringError ? err.message : 'A wrapped key does not unwrap under this keyring.',
      );
    }
  }

  private async insert(
    scope: string,
    purpose: WrappedKeyRecord['purpose'],
    version: number,
    key: Buffer,
    raced?: string,
    hmacInput?: PepperInput,
  ): Promise<boolean> {
    const { kekVersion, wrapped } = await this.kek.wrap(key, context(scope, purpose, version));
    const ok = await this.repos.insertWrappedKey({
      id: newId('wrappedKey'),
      scope,
      purpose,
      version,
      kekVersion,
      wrapped: wrapped.toString('base64url'),
      createdAt: this.clock.now(),
      ...(hmacInput !== undefined && { hmacInput }),
    });
    if (!ok && raced !== undefined) throw new KeyringError(raced, 'config');
    return ok;
  }

  private sortPeppers(): void {
    this.pepperVersions = Object.freeze([...this.peppers.keys()].sort((a, b) => b - a));
    this.currentPepperVersion = this.pepperVersions[0] ?? 0;
  }
}

/** A pepper in memory: its key object, imported once, and whether its HMAC input is labelled. */
interface Pepper {
  key: KeyObject;
  labelled: boolean;
}

function context(scope: string, purpose: string, version: number): string {
  return `${purpose}:${scope}:${version}`;
}

/** The context a wrapped key was wrapped with: a backup unwraps every row with it to prove its keyring opens them. */
export function wrappedKeyContext(row: Pick<WrappedKeyRecord, 'scope' | 'purpose' | 'version'>): string {
  return context(row.scope, row.purpose, row.version);
}

function associatedData(scope: string, version: number, aad: string): Buffer {
  return Buffer.from(`tessera/${FORMAT}|${scope}|${version}|${aad}`, 'utf8');
}

/**
 * A keyring whose KEK and wrapped keys live in process memory only: for tests and tools. It is
 * the same envelope encryption as the real keyring.
 */
export class MemoryKeyring extends EnvelopeKeyring {
  /** Peppers are labelled unless `input` says `plain` (a keyring as release 0.1.0 made it). */
  constructor(
    peppers: { version: number; key: Buffer; input?: PepperInput }[],
    kek: KekProvider = LocalKek.generate(),
    repos: KeyringRepos = new MemoryKeyringRepos(),
  ) {
    if (peppers.length === 0) throw new Error('keyring has no pepper');
    super(kek, repos, new Map(peppers.map((p) => [p.version, { key: p.key, input: p.input ?? 'labelled' }])), { now: () => Date.now() });
  }

  static generate(): MemoryKeyring {
    return new MemoryKeyring([{ version: 1, key: randomBytes(32) }]);
  }
}

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare against itself on a length mismatch so the time spent does not depend on it.
  return timingSafeEqual(ab, ab.length === bb.length ? bb : ab) && ab.length === bb.length;
}
