/** The keyring, secrets and audit commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const CUSTODY_HELP = `  keyring rotate [--kek] [--data-keys] [--pepper]
                                        new KEK version and re-wrap every data key (default), new data key
                                        versions, or a new (labelled) pepper; runs on the instance directly
  keyring status                        provider and key versions
  secrets put NAME [--rotate-by TIME]   store a new version; the value is read from stdin
  secrets get NAME [--version N]        print a secret's value (audited)
  secrets list [--due]                  names and versions, never values; --due: due or overdue for rotation
  secrets rm NAME                       delete a secret and destroy its kept versions
  audit export [--from SEQ] [--checkpoints] [--offline]
                                        the audit log as JSON lines on stdout
  audit public-key [--offline]          the public keys that sign audit checkpoints, as a JWK Set (RFC 7517)`;

export const CUSTODY_OPTIONS = {
  kek: { type: 'boolean' },
  'data-keys': { type: 'boolean' },
  pepper: { type: 'boolean' },
  'rotate-by': { type: 'string' },
  version: { type: 'string' },
  due: { type: 'boolean' },
  from: { type: 'string' },
  checkpoints: { type: 'boolean' },
} as const;
