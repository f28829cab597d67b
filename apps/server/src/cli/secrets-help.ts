/** The secrets commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const SECRETS_HELP = `  secrets put NAME [--rotate-by TIME]   store a new version; the value is read from stdin
  secrets get NAME [--version N]        print a secret's value (audited)
  secrets list [--due]                  names and versions, never values; --due: due or overdue for rotation
  secrets rm NAME                       delete a secret and destroy its kept versions
  secrets rotation set NAME --rotator postgres-alternating --connection C --usernames A,B (--every 30d|12h | --manual)
  secrets rotation set NAME --rotator webhook --endpoint URL (--every 30d|12h | --manual)
                                        rotate a secret by a rotator, on a schedule or only when asked;
                                        a webhook rotator's signing secret is printed once
  secrets rotation show NAME            rotator, schedule, next rotation, last result and error
  secrets rotation list                 every secret rotation
  secrets rotation now NAME             rotate now (exit 1 when the attempt failed; the current version stays)
  secrets rotation clear NAME           stop rotating a secret (its versions stay)`;

export const SECRETS_OPTIONS = flags(['rotate-by', 'version', 'rotator', 'usernames', 'endpoint'], ['due', 'manual']);
