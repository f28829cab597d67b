/** The rotation commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const ROTATION_HELP = `  keyspaces policy KEYSPACE_ID [--max-lifetime-days N|none] [--rotate-every-days N|none]
                   [--rotation-notice-days N] [--rotation-grace-days N]
                                        show a keyspace's policy, or set its rotation rules (see docs/rotation.md)`;

export const ROTATION_OPTIONS = {
  'max-lifetime-days': { type: 'string' },
  'rotate-every-days': { type: 'string' },
  'rotation-notice-days': { type: 'string' },
  'rotation-grace-days': { type: 'string' },
} as const;
