/** The rotation commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const ROTATION_HELP = `  keyspaces policy KEYSPACE_ID [--max-lifetime-days N|none] [--rotate-every-days N|none]
                   [--rotation-notice-days N] [--rotation-grace-days N]
                                        show a keyspace's policy, or set its rotation rules (see docs/rotation.md)
  keys due [--keyspace ID] [--within DAYS]
                                        live keys overdue for rotation or due within DAYS (default: the notice days)
  keys roll KEY_ID --grace SECONDS --retire-when-unused [--quiet SECONDS (0: at the new key's first use)]
                                        the old key retires once the new one is in use and it is quiet (grace: the deadline)
  keys rollover KEY_ID                  a usage-driven rollover's state: successor in use, old key last seen, retires at
  keys rollovers [--keyspace ID] [--open]`;

export const ROTATION_OPTIONS = flags(
  ['max-lifetime-days', 'rotate-every-days', 'rotation-notice-days', 'rotation-grace-days', 'quiet', 'within'],
  ['retire-when-unused', 'open'],
);
