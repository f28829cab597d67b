import { KeyringError, type KekProvider } from '@tessera/core';
import type * as graphene from 'graphene-pk11';
import { kekWeaknesses, type KekAttributes } from './kek-weaknesses.js';
import { loadPkcs11Binding } from './load-pkcs11-binding.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module (for SoftHSM2: `/usr/lib/softhsm/libsofthsm2.so`). */
  module: string;
  /** Label of the token that holds the KEK. */
  tokenLabel: string;
  /** The user PIN of that token. */
  pin: string;
  /** KEK objects are labelled `<keyLabel>-v<version>`. */
  keyLabel?: string | undefined;
  /** Generate the first KEK inside the token if it holds none (what `tessera init` does). */
  create?: boolean | undefined;
}

type Graphene = typeof graphene;

// The key that travels wrapped: a session object, never stored on the token.
const carrier = (g: Graphene) =>
  ({ class: g.ObjectClass.SECRET_KEY, keyType: g.KeyType.GENERIC_SECRET, token: false, sensitive: false, extractable: true }) as const;

/** Return values that mean the token or session is gone, not that the wrapped bytes are bad. */
const UNAVAILABLE =
  /CKR_(SESSION_HANDLE_INVALID|SESSION_CLOSED|DEVICE_REMOVED|DEVICE_ERROR|DEVICE_MEMORY|TOKEN_NOT_PRESENT|CRYPTOKI_NOT_INITIALIZED|USER_NOT_LOGGED_IN|HOST_MEMORY)/;

/** Modules are initialised once per process and finalised when the last user closes. */
const loaded = new Map<string, { module: graphene.Module; users: number }>();

/**
 * KEK custody in an HSM over PKCS#11. The KEK is an AES-256 key generated inside the token
 * (`CKA_SENSITIVE`, not `CKA_EXTRACTABLE`), one object per version; a key under the KEK label
 * that is not so (imported, extractable, of another type) is refused; data keys are wrapped and
 * unwrapped there with `CKM_AES_KEY_WRAP_PAD` (RFC 5649), so the KEK never leaves the token.
 * RFC 5649 has no associated data: the `context` of a wrap is not bound here, but every data
 * key ciphertext binds its scope and version in its own GCM associated data.
 */
export class Pkcs11Kek implements KekProvider {
  readonly kind = 'pkcs11';
  private readonly keks = new Map<number, graphene.SecretKey>();
  private closed = false;

  private constructor(
    private readonly g: Graphene,
    private readonly modulePath: string,
    private readonly session: graphene.Session,
    private readonly keyLabel: string,
  ) {}

  /**
   * Loads the PKCS#11 binding on first use (it is an optional, natively built package), opens a
   * session on the token and finds (or, with `create`, makes) the KEK.
   */
  static async open(o: Pkcs11Options, binding = 'graphene-pk11'): Promise<Pkcs11Kek> {
    const g = await loadPkcs11Binding(binding);
    const keyLabel = o.keyLabel ?? 'tessera-kek';
    const module = acquire(g, o.module);
    let session: graphene.Session | undefined;
    try {
      const slot = findSlot(module, o.tokenLabel);
      session = slot.open(g.SessionFlag.SERIAL_SESSION | g.SessionFlag.RW_SESSION);
      try {
        session.login(o.pin, g.UserType.USER);
      } catch (err) {
        const code = (err as Error).message;
        if (!/CKR_USER_ALREADY_LOGGED_IN/.test(code)) {
          if (/CKR_PIN_INCORRECT|CKR_PIN_INVALID|CKR_PIN_LEN_RANGE/.test(code))
            throw new KeyringError(`the PIN for the PKCS#11 token "${o.tokenLabel}" is wrong`, 'auth');
          if (/CKR_PIN_LOCKED/.test(code)) throw new KeyringError(`the PKCS#11 token "${o.tokenLabel}" has locked its PIN`, 'auth');
          throw new KeyringError(`cannot log in to the PKCS#11 token "${o.tokenLabel}": ${code}`, 'auth');
        }
      }
      const kek = new Pkcs11Kek(g, o.module, session, keyLabel);
      kek.findKeks();
      if (kek.keks.size === 0) {
        if (!o.create) throw new KeyringError(`the PKCS#11 token "${o.tokenLabel}" holds no key labelled ${keyLabel}-v<N>`, 'config');
        kek.generate(1);
      }
      return kek;
    } catch (err) {
      try {
        session?.close();
      } catch {
        // already gone
      }
      release(o.module);
      throw err instanceof KeyringError ? err : new KeyringError(`PKCS#11: ${(err as Error).message}`, 'unavailable');
    }
  }

  currentVersion(): number {
    return Math.max(...this.keks.keys());
  }

  async wrap(key: Buffer): Promise<{ kekVersion: number; wrapped: Buffer }> {
    const kekVersion = this.currentVersion();
    const carried = this.call(() => this.session.create({ ...carrier(this.g), value: key }));
    try {
      return {
        kekVersion,
        wrapped: this.call(() => this.session.wrapKey(this.kwp(), this.keks.get(kekVersion)!, carried.toType<graphene.SecretKey>())),
      };
    } finally {
      carried.destroy();
    }
  }

  async unwrap(kekVersion: number, wrapped: Buffer): Promise<Buffer> {
    let kek = this.keks.get(kekVersion);
    if (kek === undefined) {
      this.findKeks(); // another process may have rotated
      kek = this.keks.get(kekVersion);
    }
    if (kek === undefined) throw new KeyringError(`the PKCS#11 token holds no ${this.keyLabel}-v${kekVersion}`, 'config');
    let carried: graphene.SecretKey;
    try {
      carried = this.session.unwrapKey(this.kwp(), kek, wrapped, { ...carrier(this.g) }) as unknown as graphene.SecretKey;
    } catch (err) {
      const code = (err as Error).message;
      if (this.closed || UNAVAILABLE.test(code)) throw new KeyringError(`the PKCS#11 token cannot be reached (${code})`, 'unavailable');
      // RFC 5649's integrity check failed: wrong KEK or altered bytes.
      throw new KeyringError(`a wrapped key does not unwrap in the token (${code})`, 'integrity');
    }
    try {
      return Buffer.from(carried.getAttribute({ value: null }).value as Buffer);
    } finally {
      carried.destroy();
    }
  }

  async rotate(): Promise<number> {
    this.findKeks();
    const next = this.currentVersion() + 1;
    this.generate(next);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keks.clear();
    try {
      this.session.logout();
    } catch {
      // not logged in
    }
    try {
      this.session.close();
    } finally {
      release(this.modulePath);
    }
  }

  private generate(version: number): void {
    const key = this.call(() =>
      this.session.generateKey(this.g.KeyGenMechanism.AES, {
        keyType: this.g.KeyType.AES,
        valueLen: 32,
        label: `${this.keyLabel}-v${version}`,
        id: Buffer.from(`${this.keyLabel}-v${version}`),
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        wrap: true,
        unwrap: true,
        encrypt: false,
        decrypt: false,
      }),
    );
    this.keks.set(version, key);
  }

  private findKeks(): void {
    const found = this.call(() => this.session.find({ class: this.g.ObjectClass.SECRET_KEY }));
    const pattern = new RegExp(`^${this.keyLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-v(\\d+)$`);
    for (let i = 0; i < found.length; i++) {
      const key = found.items(i).toType<graphene.SecretKey>();
      const m = pattern.exec(key.label);
      if (m) {
        trustAsKek(key);
        this.keks.set(Number(m[1]), key);
      }
    }
  }

  /** RFC 5649 key wrap with padding. */
  private kwp(): graphene.MechanismEnum {
    return this.g.MechanismEnum.AES_KEY_WRAP_PAD;
  }

  private call<T>(fn: () => T): T {
    if (this.closed) throw new KeyringError('the PKCS#11 session is closed', 'unavailable');
    try {
      return fn();
    } catch (err) {
      throw err instanceof KeyringError ? err : new KeyringError(`PKCS#11: ${(err as Error).message}`, 'unavailable');
    }
  }
}

/** Throws unless the key is one a KEK may be: see {@link kekWeaknesses}. */
function trustAsKek(key: graphene.SecretKey): void {
  const template = {
    keyType: null,
    valueLen: null,
    sensitive: null,
    extractable: null,
    neverExtractable: null,
    local: null,
    wrap: null,
    unwrap: null,
    encrypt: null,
    decrypt: null,
  };
  const weaknesses = kekWeaknesses(key.getAttribute(template) as unknown as KekAttributes);
  if (weaknesses.length > 0) {
    throw new KeyringError(`the PKCS#11 key "${key.label}" is not trusted as a KEK: ${weaknesses.join('; ')}`, 'config');
  }
}

function acquire(g: Graphene, path: string): graphene.Module {
  let entry = loaded.get(path);
  if (entry === undefined) {
    let module: graphene.Module;
    try {
      module = g.Module.load(path, 'tessera');
      module.initialize();
    } catch (err) {
      throw new KeyringError(`cannot load the PKCS#11 module ${path}: ${(err as Error).message}`, 'config');
    }
    entry = { module, users: 0 };
    loaded.set(path, entry);
  }
  entry.users++;
  return entry.module;
}

function release(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined) return;
  if (--entry.users === 0) {
    loaded.delete(path);
    try {
      entry.module.finalize();
    } catch {
      // already finalised
    }
  }
}

function findSlot(module: graphene.Module, tokenLabel: string): graphene.Slot {
  const slots = module.getSlots(true);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    if (slot.getToken().label.trim() === tokenLabel) return slot;
  }
  throw new KeyringError(`no PKCS#11 token labelled "${tokenLabel}" is present`, 'config');
}
