/** The portal commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const PORTAL_HELP = `  portal session --owner ID --keyspace ID --return-url URL
                                        a single-use link (five minutes) for a key owner to manage their keys
  portal settings KEYSPACE_ID [--max-keys N] [--allowed-scopes a,b] [--max-lifetime-days N]
                 [--app-name N] [--logo-url URL|none] [--brand-color #RRGGBB|none]
                                        show a keyspace's portal settings, or change the ones given`;

export const PORTAL_OPTIONS = {
  'return-url': { type: 'string' },
  'max-keys': { type: 'string' },
  'allowed-scopes': { type: 'string' },
  'app-name': { type: 'string' },
  'logo-url': { type: 'string' },
  'brand-color': { type: 'string' },
} as const;
