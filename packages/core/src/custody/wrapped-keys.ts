import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { KeyringRepos, WrappedKeyRecord } from './custody-repos.js';
import { wrappedKeyContext } from './envelope-format.js';
import type { PepperInput } from './hash-domain.js';
import { KeyringError, type KekProvider } from './kek-provider.js';

export interface RotationProgress {
  (done: number, total: number): void;
}

/**
 * The keyring's keys as the store keeps them: wrapped by the KEK of a {@link KekProvider}, each
 * with the context of its scope, purpose and version. Never a key in the clear in the store.
 */
export class WrappedKeys {
  constructor(
    readonly kek: KekProvider,
    readonly repos: KeyringRepos,
    private readonly clock: Clock,
  ) {}

  /** Unwraps a stored key; an unreachable KEK is KEYRING_UNAVAILABLE, a key that does not unwrap DECRYPTION_FAILED. */
  async unwrap(row: WrappedKeyRecord): Promise<Buffer> {
    try {
      return await this.kek.unwrap(row.kekVersion, Buffer.from(row.wrapped, 'base64url'), wrappedKeyContext(row));
    } catch (err) {
      if (err instanceof KeyringError && err.reason !== 'integrity') throw new TesseraError('KEYRING_UNAVAILABLE', err.message);
      throw new TesseraError(
        'DECRYPTION_FAILED',
        err instanceof KeyringError ? err.message : 'A wrapped key does not unwrap under this keyring.',
      );
    }
  }

  /**
   * Wraps and stores a new key; `false` when another node stored that version first — or, with
   * `raced`, a KeyringError saying so (for a rotation, which must not silently use another key).
   */
  async insert(
    row: Pick<WrappedKeyRecord, 'scope' | 'purpose' | 'version'>,
    key: Buffer,
    raced?: string,
    hmacInput?: PepperInput,
  ): Promise<boolean> {
    const { kekVersion, wrapped } = await this.kek.wrap(key, wrappedKeyContext(row));
    const ok = await this.repos.insertWrappedKey({
      id: newId('wrappedKey'),
      ...row,
      kekVersion,
      wrapped: wrapped.toString('base64url'),
      createdAt: this.clock.now(),
      ...(hmacInput !== undefined && { hmacInput }),
    });
    if (!ok && raced !== undefined) throw new KeyringError(raced, 'config');
    return ok;
  }

  /** Re-wraps every key not yet under the current KEK version (finishes an interrupted rotation). */
  async rewrapAll(progress?: RotationProgress): Promise<number> {
    const target = this.kek.currentVersion();
    const rows = (await this.repos.listWrappedKeys()).filter((r) => r.kekVersion !== target);
    let done = 0;
    progress?.(0, rows.length);
    for (const row of rows) {
      const key = await this.unwrap(row);
      const { kekVersion, wrapped } = await this.kek.wrap(key, wrappedKeyContext(row));
      key.fill(0);
      await this.repos.rewrapKey(row.id, row.kekVersion, kekVersion, wrapped.toString('base64url'));
      done++;
      progress?.(done, rows.length);
    }
    return done;
  }
}
