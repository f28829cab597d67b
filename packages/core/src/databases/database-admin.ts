import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import { DATABASE_NAME_PATTERN } from './credential-names.js';
import { TLS_MODES, type DatabaseConnectionRecord, type DatabaseRoleRecord, type TlsMode } from './database-records.js';
import { TargetError, type DatabaseTarget, type TargetConnection } from './database-target.js';
import { checkStatements } from './statement-templates.js';

export interface ConnectionInput {
  host: string;
  port?: number | undefined;
  database: string;
  tlsMode?: TlsMode | undefined;
  username: string;
  password: string;
}

export interface RoleInput {
  connection: string;
  creationStatements: string;
  revocationStatements?: string | null | undefined;
  renewStatements?: string | null | undefined;
  defaultTtlSeconds?: number | undefined;
  maxTtlSeconds?: number | undefined;
}

export interface DatabaseDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  target: DatabaseTarget;
}

const HOST_PATTERN = /^[A-Za-z0-9.:_-]{1,253}$/;
const DAY = 86_400;

/**
 * Target databases and roles of dynamic credentials (docs/dynamic-secrets.md): a connection is
 * checked by logging in before it is kept, its admin password encrypted by the keyring and never
 * shown again; a role's statements are checked for their placeholders.
 */
export class DatabaseAdmin {
  constructor(private readonly deps: DatabaseDeps) {}

  /** Registers a connection, or replaces one of the same name; answers it without its password. */
  async putConnection(actor: Actor, name: string, input: ConnectionInput): Promise<DatabaseConnectionRecord> {
    const workspaceId = workspaceOf(actor);
    checkName('connection', name);
    const settings = connectionSettings(input);
    try {
      await this.deps.target.verify(settings);
    } catch (err) {
      throw targetFailure(err, 'cannot log in to the database');
    }
    const now = this.deps.clock.now();
    const seen = await this.deps.store.databases.getConnection(workspaceId, name);
    const id = seen?.id ?? newId('databaseConnection', now);
    const passwordCiphertext = await this.deps.keyring.encrypt(Buffer.from(settings.password, 'utf8'), connectionAad(id), { workspaceId });
    const { password: _password, ...visible } = settings;
    const fields = { plugin: 'postgresql' as const, ...visible, passwordCiphertext, updatedAt: now };
    return concurrently('connection', () =>
      this.deps.store.transaction(async (tx) => {
        const existing = await tx.databases.getConnection(workspaceId, name);
        if (existing?.id !== seen?.id) throw new TesseraError('CONFLICT', 'The connection was written concurrently; try again.');
        if (existing === undefined) await tx.databases.insertConnection({ id, workspaceId, name, createdAt: now, ...fields });
        else await tx.databases.updateConnection(id, fields);
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'database_connection.written',
          target: name,
          details: { connectionId: id, ...visible, created: existing === undefined },
        });
        return { id, workspaceId, name, createdAt: existing?.createdAt ?? now, ...fields };
      }),
    );
  }

  listConnections(actor: Actor): Promise<DatabaseConnectionRecord[]> {
    return this.deps.store.databases.listConnections(workspaceOf(actor));
  }

  /** Deletes a connection no role uses. */
  async deleteConnection(actor: Actor, name: string): Promise<void> {
    const workspaceId = workspaceOf(actor);
    await this.deps.store.transaction(async (tx) => {
      const c = await tx.databases.getConnection(workspaceId, name);
      if (c === undefined) throw new TesseraError('NOT_FOUND', 'No such connection.');
      const roles = await tx.databases.listRoles(workspaceId, c.id);
      if (roles.length > 0)
        throw new TesseraError('CONFLICT', `Roles use this connection (${roles.map((r) => r.name).join(', ')}); delete them first.`);
      await tx.databases.deleteConnection(c.id);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'database_connection.deleted',
        target: name,
        details: { connectionId: c.id },
      });
    });
  }

  /** Writes a role (creating it, or replacing its statements and TTLs; leases issued keep theirs). */
  async putRole(actor: Actor, name: string, input: RoleInput): Promise<DatabaseRoleRecord> {
    const workspaceId = workspaceOf(actor);
    checkName('role', name);
    checkStatements('creation', input.creationStatements);
    if (input.revocationStatements != null) checkStatements('revocation', input.revocationStatements);
    if (input.renewStatements != null) checkStatements('renew', input.renewStatements);
    const defaultTtlSeconds = input.defaultTtlSeconds ?? 3_600;
    const maxTtlSeconds = input.maxTtlSeconds ?? Math.max(DAY, defaultTtlSeconds);
    if (!Number.isInteger(defaultTtlSeconds) || defaultTtlSeconds < 1)
      throw new TesseraError('VALIDATION_FAILED', 'defaultTtlSeconds must be at least 1');
    if (!Number.isInteger(maxTtlSeconds) || maxTtlSeconds < defaultTtlSeconds || maxTtlSeconds > 365 * DAY)
      throw new TesseraError('VALIDATION_FAILED', 'maxTtlSeconds must be at least defaultTtlSeconds and at most a year');
    const now = this.deps.clock.now();
    return concurrently('role', () =>
      this.deps.store.transaction(async (tx) => {
        const connection = await tx.databases.getConnection(workspaceId, input.connection);
        if (connection === undefined) throw new TesseraError('VALIDATION_FAILED', `No connection is named "${input.connection}".`);
        const existing = await tx.databases.getRole(workspaceId, name);
        const fields = {
          connectionId: connection.id,
          creationStatements: input.creationStatements,
          revocationStatements: input.revocationStatements ?? null,
          renewStatements: input.renewStatements ?? null,
          defaultTtlSeconds,
          maxTtlSeconds,
          updatedAt: now,
        };
        const id = existing?.id ?? newId('databaseRole', now);
        if (existing === undefined) await tx.databases.insertRole({ id, workspaceId, name, createdAt: now, ...fields });
        else await tx.databases.updateRole(id, fields);
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'database_role.written',
          target: name,
          details: { roleId: id, connection: connection.name, defaultTtlSeconds, maxTtlSeconds, created: existing === undefined },
        });
        return { id, workspaceId, name, createdAt: existing?.createdAt ?? now, ...fields };
      }),
    );
  }

  listRoles(actor: Actor): Promise<DatabaseRoleRecord[]> {
    return this.deps.store.databases.listRoles(workspaceOf(actor));
  }

  /** Deletes a role none of whose leases is still open. */
  async deleteRole(actor: Actor, name: string): Promise<void> {
    const workspaceId = workspaceOf(actor);
    await this.deps.store.transaction(async (tx) => {
      const role = await tx.databases.getRole(workspaceId, name);
      if (role === undefined) throw new TesseraError('NOT_FOUND', 'No such role.');
      const open = await tx.databases.countOpenLeases(role.id);
      if (open > 0) throw new TesseraError('CONFLICT', `The role has ${open} lease(s) not revoked yet; revoke them first.`);
      await tx.databases.deleteRole(role.id);
      await appendAudit(tx, this.deps.clock, actor, { action: 'database_role.deleted', target: name, details: { roleId: role.id } });
    });
  }
}

/** The associated data that binds a connection's admin password to its row. */
export function connectionAad(connectionId: string): string {
  return `database_connection:${connectionId}`;
}

/** A connection's settings with its admin password decrypted, for one call to the target. */
export async function openConnection(keyring: Keyring, c: DatabaseConnectionRecord): Promise<TargetConnection> {
  const plain = await keyring.decrypt(c.passwordCiphertext, connectionAad(c.id));
  const password = plain.toString('utf8');
  plain.fill(0);
  return { host: c.host, port: c.port, database: c.database, tlsMode: c.tlsMode, username: c.username, password };
}

/** A target's failure as the API's error: its safe message, or a generic one. */
export function targetFailure(err: unknown, what: string): TesseraError {
  if (err instanceof TesseraError) return err;
  const reason = err instanceof TargetError ? err.message : 'the database did not answer as expected';
  return new TesseraError('TARGET_DATABASE_FAILED', `${what}: ${reason}`);
}

export function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}

/** Two writers creating the same name at once: the loser's unique violation is a CONFLICT, not a 500. */
async function concurrently<T>(kind: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof TesseraError) && /unique|duplicate|constraint/i.test((err as Error).message))
      throw new TesseraError('CONFLICT', `The ${kind} was written concurrently; try again.`);
    throw err;
  }
}

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || !DATABASE_NAME_PATTERN.test(name))
    throw new TesseraError(
      'VALIDATION_FAILED',
      `a ${kind} name is 1–40 lower-case letters, digits, "_" or "-", starting with a letter or digit`,
    );
}

function connectionSettings(input: ConnectionInput): TargetConnection {
  const port = input.port ?? 5432;
  if (typeof input.host !== 'string' || !HOST_PATTERN.test(input.host))
    throw new TesseraError('VALIDATION_FAILED', 'host must be a host name or an IP address');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new TesseraError('VALIDATION_FAILED', 'port must be 1–65535');
  const tlsMode = input.tlsMode ?? 'verify-full';
  if (!TLS_MODES.includes(tlsMode)) throw new TesseraError('VALIDATION_FAILED', `tlsMode must be one of ${TLS_MODES.join(', ')}`);
  for (const [field, value] of [
    ['database', input.database],
    ['username', input.username],
  ] as const)
    if (typeof value !== 'string' || value.length === 0 || value.length > 63)
      throw new TesseraError('VALIDATION_FAILED', `${field} must be 1–63 characters`);
  if (typeof input.password !== 'string' || input.password.length === 0 || input.password.length > 1024)
    throw new TesseraError('VALIDATION_FAILED', 'password must be 1–1024 characters');
  return { host: input.host, port, database: input.database, tlsMode, username: input.username, password: input.password };
}
