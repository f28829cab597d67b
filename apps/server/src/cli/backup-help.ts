/** The backup and restore commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const BACKUP_HELP = `  backup --out FILE [--hsm]            a consistent backup of the running instance (database and keyring) in one
                                        file; the passphrase that encrypts its keyring is read from stdin
                                        (--hsm: the configured PKCS#11 HSM wraps its key instead)
  backup verify FILE                    check a backup without restoring it (passphrase on stdin)
  restore FILE --data-dir DIR [--database-url URL]
                                        restore into an empty data dir (and empty PostgreSQL schema); passphrase on stdin`;

export const BACKUP_OPTIONS = flags(['out', 'database-url'], ['hsm']);
