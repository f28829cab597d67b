/** The audit commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const AUDIT_HELP = `  audit verify [--offline]              check the audit chain and its signed checkpoints (--offline reads the store directly)
  audit export [--from SEQ] [--checkpoints] [--offline]
                                        the audit log as JSON lines on stdout
  audit public-key [--offline]          the public keys that sign audit checkpoints, as a JWK Set (RFC 7517)`;

export const AUDIT_OPTIONS = flags(['from'], ['offline', 'checkpoints']);
