import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { KeyringRepos } from './custody-repos.js';
import { envelopeHeader, openEnvelope, SCOPE_PATTERN, sealEnvelope } from './envelope-format.js';
import { HASH_LABELS, type HashDomain, type PepperInput } from './hash-domain.js';
import { KeyringError, type KekProvider } from './kek-provider.js';
import { WrappedKeys, type RotationProgress } from './wrapped-keys.js';

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

/**
 * Envelope encryption: AES-256-GCM data keys, one series per workspace, wrapped by the KEK of a
 * {@link KekProvider} and kept wrapped in the store (see {@link WrappedKeys}); ciphertexts in the
 * format of envelope-format.ts. Unwrapped keys are imported once as KeyObjects and kept for the
 * life of the process.
 */
export class EnvelopeKeyring implements Keyring {
  currentPepperVersion: number;
  pepperVersions: readonly number[];
  private readonly peppers = new Map<number, Pepper>();
  private readonly dataKeys = new Map<string, Map<number, KeyObject>>();
  private readonly currentDataKey = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly wrappedKeys: WrappedKeys;

  protected constructor(
    readonly kek: KekProvider,
    private readonly repos: KeyringRepos,
    peppers: ReadonlyMap<number, { key: Buffer; input: PepperInput }>,
    clock: Clock,
  ) {
    this.wrappedKeys = new WrappedKeys(kek, repos, clock);
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
    return sealEnvelope(key, scope, version, plaintext, aad);
  }

  async decrypt(ciphertext: string, aad: string): Promise<Buffer> {
    const header = envelopeHeader(ciphertext);
    return openEnvelope(await this.dataKey(header.scope, header.version), header, aad);
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
          this.peppers.set(row.version, {
            key: createSecretKey(await this.wrappedKeys.unwrap(row)),
            labelled: row.hmacInput === 'labelled',
          });
        }
        continue;
      }
      const keys = this.keysOf(row.scope);
      if (!keys.has(row.version)) {
        try {
          keys.set(row.version, createSecretKey(await this.wrappedKeys.unwrap(row)));
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
    await this.wrappedKeys.insert(
      { scope: INSTANCE_SCOPE, purpose: 'pepper', version },
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
      const raced = 'another process rotated the data keys at the same time; run the rotation again';
      await this.wrappedKeys.insert({ scope, purpose: 'data', version }, key, raced);
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
  rewrapAll(progress?: RotationProgress): Promise<number> {
    return this.wrappedKeys.rewrapAll(progress);
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
        if (await this.wrappedKeys.insert({ scope, purpose: 'data', version: 1 }, key)) {
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
        for (const row of rows) if (!keys.has(row.version)) keys.set(row.version, createSecretKey(await this.wrappedKeys.unwrap(row)));
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
