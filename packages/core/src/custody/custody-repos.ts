import type { PepperInput } from './hash-domain.js';

/** The keyring's rows: keys wrapped by the KEK. Never a key in the clear. */
export interface WrappedKeyRecord {
  id: string;
  /** A workspace id, or `instance` for keys of the whole instance. */
  scope: string;
  purpose: 'data' | 'pepper';
  version: number;
  kekVersion: number;
  /** The provider's wrapped form, base64url. */
  wrapped: string;
  createdAt: number;
  /** A pepper's HMAC input; absent for data keys and for peppers made before labels (`plain`). */
  hmacInput?: PepperInput | undefined;
}

/** The storage port of the keyring; the Kysely store implements it, {@link MemoryKeyringRepos} too. */
export interface KeyringRepos {
  /** The keys of a scope, a purpose or both (every key without either), ordered by scope, purpose and version. */
  listWrappedKeys(q?: { scope?: string | undefined; purpose?: WrappedKeyRecord['purpose'] | undefined }): Promise<WrappedKeyRecord[]>;
  /** Inserts a key; `false` when (scope, purpose, version) is taken already (another node was first). */
  insertWrappedKey(k: WrappedKeyRecord): Promise<boolean>;
  /** Replaces the wrapping of one key if it is still wrapped under `fromKekVersion`; `false` otherwise. */
  rewrapKey(id: string, fromKekVersion: number, kekVersion: number, wrapped: string): Promise<boolean>;
}

/** The keyring port in memory, for the in-memory keyring and tests. */
export class MemoryKeyringRepos implements KeyringRepos {
  readonly rows: WrappedKeyRecord[] = [];

  async listWrappedKeys(
    q: { scope?: string | undefined; purpose?: WrappedKeyRecord['purpose'] | undefined } = {},
  ): Promise<WrappedKeyRecord[]> {
    return this.rows
      .filter((r) => (q.scope === undefined || r.scope === q.scope) && (q.purpose === undefined || r.purpose === q.purpose))
      .sort((a, b) => compare(a.scope, b.scope) || compare(a.purpose, b.purpose) || a.version - b.version)
      .map((r) => ({ ...r }));
  }

  async insertWrappedKey(k: WrappedKeyRecord): Promise<boolean> {
    if (this.rows.some((r) => r.scope === k.scope && r.purpose === k.purpose && r.version === k.version)) return false;
    this.rows.push({ ...k });
    return true;
  }

  async rewrapKey(id: string, fromKekVersion: number, kekVersion: number, wrapped: string): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id && r.kekVersion === fromKekVersion);
    if (row === undefined) return false;
    row.kekVersion = kekVersion;
    row.wrapped = wrapped;
    return true;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
