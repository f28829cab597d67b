import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { Store } from '../store/store.js';
import { canAccessSecret, isSecretName } from './secret-access.js';
import type { SecretRecord } from './vault-repos.js';

/** Where a secret stands against its `rotateBy` date. */
export type RotationStatus = 'none' | 'ok' | 'due' | 'overdue';

export interface SecretSummary {
  name: string;
  version: number;
  versions: number[];
  rotateBy: number | null;
  rotation: RotationStatus;
  createdAt: number;
  updatedAt: number;
}

/** Who is asking: the actor for the audit log and the grants of its root key. */
export interface VaultCaller {
  actor: Actor;
  grants: readonly string[];
}

const MAX_VALUE_BYTES = 64 * 1024;

/**
 * The secrets vault (docs/vault.md): the third-party tokens an application itself depends on,
 * encrypted with the workspace's data key, versioned, readable only with `secrets:read` for the
 * name, and every read written to the audit log in the transaction that reads the ciphertext.
 */
export class VaultService {
  constructor(
    private readonly deps: { store: Store; keyring: Keyring; clock: Clock },
    /** A secret is `due` this long before its `rotateBy` date. */
    private readonly dueWindowMs = 7 * 86_400_000,
  ) {}

  /** Stores a new version of a secret (creating it); the value never leaves the keyring in the clear. */
  async put(
    caller: VaultCaller,
    name: string,
    value: string,
    rotateBy?: number | null,
  ): Promise<{ name: string; version: number; rotateBy: number | null }> {
    const workspaceId = this.check(caller, 'write', name);
    if (typeof value !== 'string' || value.length === 0) throw new TesseraError('VALIDATION_FAILED', 'value must be a non-empty string');
    if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES)
      throw new TesseraError('VALIDATION_FAILED', `value must be at most ${MAX_VALUE_BYTES} bytes`);
    const now = this.deps.clock.now();
    const plain = Buffer.from(value, 'utf8');
    try {
      // Encrypt first, for the version we expect to write, then write it if nobody came in between.
      // Keyring work (perhaps an HSM round trip) thus never runs under the store's write lock.
      for (let attempt = 0; attempt < 5; attempt++) {
        const seen = await this.deps.store.getSecret(workspaceId, name);
        const secretId = seen?.id ?? newId('secret', now);
        const version = (seen?.currentVersion ?? 0) + 1;
        const ciphertext = await this.deps.keyring.encrypt(plain, secretAad(secretId, version), { workspaceId });
        const written = await this.deps.store.transaction(async (tx) => {
          const secret = await tx.getSecret(workspaceId, name, { lock: true });
          if (secret?.id !== seen?.id || (secret?.currentVersion ?? 0) + 1 !== version) return undefined; // raced: try again
          if (secret === undefined) {
            await tx.insertSecret({
              id: secretId,
              workspaceId,
              name,
              currentVersion: 0,
              rotateBy: rotateBy ?? null,
              createdAt: now,
              updatedAt: now,
            });
          }
          await tx.insertSecretVersion({ secretId, version, ciphertext, createdAt: now, createdBy: caller.actor.id });
          const nextRotateBy = rotateBy === undefined ? (secret?.rotateBy ?? null) : rotateBy;
          await tx.updateSecret(secretId, { currentVersion: version, rotateBy: nextRotateBy, updatedAt: now });
          await appendAudit(tx, this.deps.clock, caller.actor, {
            action: 'secret.written',
            target: name,
            details: {
              secretId,
              version,
              created: secret === undefined,
              rotateBy: nextRotateBy === null ? null : new Date(nextRotateBy).toISOString(),
            },
          });
          return { name, version, rotateBy: nextRotateBy };
        });
        if (written !== undefined) return written;
      }
      throw new TesseraError('CONFLICT', 'The secret is being written concurrently; try again.');
    } catch (err) {
      if (err instanceof TesseraError) throw err;
      if (/unique|duplicate|constraint/i.test((err as Error).message))
        throw new TesseraError('CONFLICT', 'The secret was written concurrently; try again.');
      throw err;
    } finally {
      plain.fill(0);
    }
  }

  /** Reads a secret's value (the current version, or the one asked for). Audited before the value is returned. */
  async get(
    caller: VaultCaller,
    name: string,
    version?: number,
  ): Promise<{ name: string; version: number; value: string; rotateBy: number | null; createdAt: number }> {
    const workspaceId = this.check(caller, 'read', name);
    // The read is audited in the transaction that reads the ciphertext; decryption follows the commit,
    // so an entry exists for every value that leaves the vault.
    const read = await this.deps.store.transaction(async (tx) => {
      const secret = await tx.getSecret(workspaceId, name);
      if (secret === undefined) throw new TesseraError('NOT_FOUND', 'No such secret.');
      const wanted = version ?? secret.currentVersion;
      const row = await tx.getSecretVersion(secret.id, wanted);
      if (row === undefined) throw new TesseraError('NOT_FOUND', `The secret has no version ${wanted}.`);
      await appendAudit(tx, this.deps.clock, caller.actor, {
        action: 'secret.read',
        target: name,
        details: { secretId: secret.id, version: wanted },
      });
      return { secret, row, wanted };
    });
    const plain = await this.deps.keyring.decrypt(read.row.ciphertext, secretAad(read.secret.id, read.wanted));
    const value = plain.toString('utf8');
    plain.fill(0);
    return { name, version: read.wanted, value, rotateBy: read.secret.rotateBy, createdAt: read.row.createdAt };
  }

  /** Every secret the caller may read or write, without values; `rotation` filters to `due`/`overdue` ones. */
  async list(caller: VaultCaller, options: { rotation?: 'due' | undefined } = {}): Promise<SecretSummary[]> {
    const workspaceId = this.workspaceOf(caller);
    const now = this.deps.clock.now();
    const secrets = (await this.deps.store.listSecrets(workspaceId)).filter(
      (s) => canAccessSecret(caller.grants, 'read', s.name) || canAccessSecret(caller.grants, 'write', s.name),
    );
    const out: SecretSummary[] = [];
    for (const s of secrets) {
      const rotation = this.rotationOf(s, now);
      if (options.rotation === 'due' && rotation !== 'due' && rotation !== 'overdue') continue;
      const versions = (await this.deps.store.listSecretVersions(s.id)).map((v) => v.version);
      out.push({
        name: s.name,
        version: s.currentVersion,
        versions,
        rotateBy: s.rotateBy,
        rotation,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      });
    }
    return out;
  }

  /** Deletes a secret and destroys every version it kept. */
  async delete(caller: VaultCaller, name: string): Promise<{ versionsDestroyed: number }> {
    const workspaceId = this.check(caller, 'write', name);
    return this.deps.store.transaction(async (tx) => {
      const secret = await tx.getSecret(workspaceId, name, { lock: true });
      if (secret === undefined) throw new TesseraError('NOT_FOUND', 'No such secret.');
      await tx.secretRotations.deleteRotation(secret.id);
      const versionsDestroyed = await tx.deleteSecret(secret.id);
      await appendAudit(tx, this.deps.clock, caller.actor, {
        action: 'secret.deleted',
        target: name,
        details: { secretId: secret.id, versionsDestroyed },
      });
      return { versionsDestroyed };
    });
  }

  rotationOf(s: Pick<SecretRecord, 'rotateBy'>, now: number): RotationStatus {
    if (s.rotateBy === null) return 'none';
    if (now >= s.rotateBy) return 'overdue';
    return now >= s.rotateBy - this.dueWindowMs ? 'due' : 'ok';
  }

  private check(caller: VaultCaller, operation: 'read' | 'write', name: string): string {
    if (typeof name !== 'string' || !isSecretName(name)) {
      throw new TesseraError(
        'VALIDATION_FAILED',
        'a secret name is 1–200 characters of letters, digits, "_", ".", "-", in segments joined by "/"',
      );
    }
    const workspaceId = this.workspaceOf(caller);
    if (!canAccessSecret(caller.grants, operation, name))
      throw new TesseraError('FORBIDDEN', `This root key may not ${operation} the secret "${name}".`);
    return workspaceId;
  }

  private workspaceOf(caller: VaultCaller): string {
    if (caller.actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    return caller.actor.workspaceId;
  }
}

/** The associated data that binds a secret's ciphertext to its row. */
export function secretAad(secretId: string, version: number): string {
  return `secret:${secretId}:${version}`;
}
