import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The instances release 0.1.0 made (test/fixtures/v0.1.0): text dumps and test-only keyrings. */
export const V010_FIXTURES = fileURLToPath(new URL('../fixtures/v0.1.0/', import.meta.url));

/**
 * Lays out a data dir as an operator's 0.1.0 instance had it: the fixture's keyring as
 * `keyring.json` (0600), and for SQLite the database rebuilt from its SQL dump as `tessera.db`.
 * The repository keeps only the dumps and the keyrings marked as fixtures, never runtime files.
 */
export function installV010DataDir(dialect: 'sqlite' | 'postgres', dataDir: string): void {
  mkdirSync(dataDir, { mode: 0o700 });
  copyFileSync(join(V010_FIXTURES, dialect, 'keyring.fixture.json'), join(dataDir, 'keyring.json'));
  chmodSync(join(dataDir, 'keyring.json'), 0o600); // git keeps no modes but the executable bit
  if (dialect === 'sqlite') {
    const db = new Database(join(dataDir, 'tessera.db'));
    try {
      db.exec(readFileSync(join(V010_FIXTURES, 'sqlite', 'dump.sql'), 'utf8'));
    } finally {
      db.close();
    }
  }
}
