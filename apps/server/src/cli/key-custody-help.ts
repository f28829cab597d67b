/** The keyring commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const KEYRING_HELP = `  keyring rotate [--kek] [--data-keys] [--pepper]
                                        new KEK version and re-wrap every data key (default), new data key
                                        versions, or a new (labelled) pepper; runs on the instance directly
  keyring status                        provider and key versions`;

export const KEYRING_OPTIONS = {
  kek: { type: 'boolean' },
  'data-keys': { type: 'boolean' },
  pepper: { type: 'boolean' },
} as const;
