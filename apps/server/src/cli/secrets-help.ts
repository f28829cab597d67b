/** The secrets commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const SECRETS_HELP = `  secrets put NAME [--rotate-by TIME]   store a new version; the value is read from stdin
  secrets get NAME [--version N]        print a secret's value (audited)
  secrets list [--due]                  names and versions, never values; --due: due or overdue for rotation
  secrets rm NAME                       delete a secret and destroy its kept versions`;

export const SECRETS_OPTIONS = {
  'rotate-by': { type: 'string' },
  version: { type: 'string' },
  due: { type: 'boolean' },
} as const;
