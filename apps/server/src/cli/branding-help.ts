/** The branding command's lines in `tessera --help` (its flags are the portal's `--logo-url` and `--brand-color`, and `--name`). */
export const BRANDING_HELP = `  branding [get]                        the brand of the hosted sign-in, consent, device and account pages
  branding set [--name N] [--logo-url URL] [--brand-color #RRGGBB]
                                        change it (an https: logo, a hex colour); '' clears a field`;
