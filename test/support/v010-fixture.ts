import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The instances release 0.1.0 made (test/fixtures/v0.1.0): text dumps and a manifest of their facts. */
export const V010_FIXTURES = fileURLToPath(new URL('../fixtures/v0.1.0/', import.meta.url));

/**
 * Lays out a data dir as an operator's 0.1.0 instance had it: the instance's keyring (kept in the
 * manifest with the fixture's other test credentials) written as `keyring.json` (0600), and for
 * SQLite the database rebuilt from its SQL dump as `tessera.db`. The repository keeps no runtime
 * file: no keyring file, no database.
 */
export function installV010DataDir(dialect: 'sqlite' | 'postgres', dataDir: string): void {
  mkdirSync(dataDir, { mode: 0o700 });
  const manifest = JSON.parse(readFileSync(join(V010_FIXTURES, 'manifest.json'), 'utf8')) as Record<string, { keyring: unknown }>;
  writeFileSync(join(dataDir, 'keyring.json'), JSON.stringify(manifest[dialect]!.keyring, null, 2) + '\n', { mode: 0o600 });
  if (dialect === 'sqlite') {
    const db = new Database(join(dataDir, 'tessera.db'));
    try {
      db.exec(readFileSync(join(V010_FIXTURES, 'sqlite', 'dump.sql'), 'utf8'));
    } finally {
      db.close();
    }
  }
}
