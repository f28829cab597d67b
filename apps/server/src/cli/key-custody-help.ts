/** The keyring commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const KEYRING_HELP = `  keyring rotate [--kek] [--data-keys] [--pepper]
                                        new KEK version and re-wrap every data key (default), new data key
                                        versions, or a new (labelled) pepper; runs on the instance directly
  keyring status                        provider and key versions`;

export const KEYRING_OPTIONS = flags([], ['kek', 'data-keys', 'pepper']);
