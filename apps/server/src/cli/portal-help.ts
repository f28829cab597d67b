/** The portal commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const PORTAL_HELP = `  portal session --owner ID --keyspace ID --return-url URL
                                        a single-use link (five minutes) for a key owner to manage their keys
  portal settings KEYSPACE_ID [--max-keys N] [--allowed-scopes a,b] [--max-lifetime-days N]
                 [--app-name N] [--logo-url URL|none] [--brand-color #RRGGBB|none]
                                        show a keyspace's portal settings, or change the ones given`;

export const PORTAL_OPTIONS = flags(['return-url', 'max-keys', 'allowed-scopes', 'app-name', 'logo-url', 'brand-color']);
