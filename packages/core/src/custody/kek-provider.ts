/**
 * A key-encryption key (KEK) provider: the one place key custody is decided. It wraps and unwraps
 * the keyring's 32-byte keys (data keys and peppers) and never hands out the KEK itself.
 *
 * Implementations: {@link LocalKek} (a key file or `TESSERA_MASTER_KEY`) and the PKCS#11 provider
 * of the server (an HSM). A cloud KMS fits the same five methods: see docs/key-custody.md.
 */
export interface KekProvider {
  /** `local`, `env`, `pkcs11`, … — shown in status output and errors. */
  readonly kind: string;
  /** The KEK version new wraps use. */
  currentVersion(): number;
  /**
   * Wraps a key under the current KEK. `context` names what the key is (`data:ws_…:3`);
   * providers with associated data (local AES-GCM, KMS encryption contexts) bind it, so a
   * wrapped key moved to another row does not unwrap there.
   */
  wrap(key: Buffer, context: string): Promise<{ kekVersion: number; wrapped: Buffer }>;
  /** Unwraps what `wrap` produced; throws a {@link KeyringError} if it was altered or the version is unknown. */
  unwrap(kekVersion: number, wrapped: Buffer, context: string): Promise<Buffer>;
  /** Makes a new KEK version, current from now on, and returns it. Old versions stay usable for unwrapping. */
  rotate(): Promise<number>;
  /** Releases sessions and handles. */
  close(): Promise<void>;
}

/** A keyring failure. Messages name the cause but never hold key material. */
export class KeyringError extends Error {
  override name = 'KeyringError';
  constructor(
    message: string,
    readonly reason: 'unavailable' | 'integrity' | 'config' | 'auth' = 'integrity',
  ) {
    super(message);
  }
}
