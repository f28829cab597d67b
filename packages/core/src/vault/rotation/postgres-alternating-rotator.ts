import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { openConnection } from '../../databases/database-admin.js';
import type { DatabaseTarget } from '../../databases/database-target.js';
import type { Store } from '../../store/store.js';
import { RotationError, type RotationRequest, type Rotator } from './rotator.js';

/** The value a PostgreSQL-rotated secret holds: the login that works now. */
export interface PostgresCredential {
  username: string;
  password: string;
}

/**
 * PostgreSQL's alternating users: the secret names one of two logins (A or B) and its password.
 * A rotation sets a new password on the *other* login, checks that it signs in with it, and
 * only then makes it current. The login that was current keeps its password until the rotation
 * after, so sessions opened with it and copies an application still holds go on working for a
 * whole rotation period. Both logins are the administrator's to create, with the same grants
 * (both members of one group role, typically).
 */
export class PostgresAlternatingRotator implements Rotator {
  constructor(private readonly deps: { store: Store; keyring: Keyring; target: DatabaseTarget }) {}

  async create(r: RotationRequest): Promise<string> {
    if (r.settings.kind !== 'postgres-alternating') throw new RotationError('not a PostgreSQL rotation');
    const admin = await this.admin(r);
    const current = parseCredential(r.currentValue)?.username;
    const [a, b] = r.settings.usernames;
    const next = current === a ? b : a;
    const password = randomBytes(24).toString('base64url');
    await this.deps.target.setPassword(admin, { name: next, password });
    return JSON.stringify({ username: next, password } satisfies PostgresCredential);
  }

  async confirm(r: RotationRequest, value: string): Promise<void> {
    const login = parseCredential(value)!;
    const admin = await this.admin(r);
    await this.deps.target.verify({ ...admin, username: login.username, password: login.password });
  }

  private async admin(r: RotationRequest) {
    if (r.settings.kind !== 'postgres-alternating') throw new RotationError('not a PostgreSQL rotation');
    const connection = await this.deps.store.databases.getConnection(r.workspaceId, r.settings.connection);
    if (connection === undefined) throw new RotationError(`no database connection is named "${r.settings.connection}"`);
    return openConnection(this.deps.keyring, connection);
  }
}

/** The login a value names, or undefined when it is not `{"username", "password"}` JSON. */
export function parseCredential(value: string): PostgresCredential | undefined {
  try {
    const v = JSON.parse(value) as Partial<PostgresCredential>;
    return typeof v.username === 'string' && typeof v.password === 'string' ? { username: v.username, password: v.password } : undefined;
  } catch {
    return undefined;
  }
}
