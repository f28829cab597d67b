/** The OAuth commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const OAUTH_HELP = `  oauth clients create --name N --scopes a,b [--audience URL,…] [--grant-types g,…] [--redirect-uris URL,…] [--post-logout-redirect-uris URL,…]
                       [--web-origins ORIGIN,…] [--auth-method client_secret_basic|client_secret_post|private_key_jwt|none] [--alg EdDSA|ES256|RS256|ML-DSA-65] [--require-par]
                       grant types: client_credentials, authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:device_code, …
  oauth clients list [--limit N] [--all]
  oauth clients rotate-secret CLIENT_ID [--grace SECONDS]   default grace: the schedule's overlap
  oauth clients schedule CLIENT_ID --every DAYS|off [--overlap SECONDS]   the owner is told (webhook) when the secret falls due
  oauth clients rm CLIENT_ID
  oauth signing-keys list
  oauth signing-keys retire KID [--reason TEXT]   emergency: out of the JWKS now, its tokens refused, a successor signs
  oauth upstream add --name N --issuer URL --client-id ID [--scopes a,b] [--claim-mapping email=CLAIM,email-verified=CLAIM,name=CLAIM]
                       an upstream OpenID Provider end users may sign in with; its client secret is read from stdin
  oauth upstream list
  oauth upstream remove PROVIDER_ID
  oauth token --client-id ID [--scopes a,b]   get an access token (client_credentials); the secret is read from stdin`;

export const OAUTH_OPTIONS = flags(
  [
    'client-id',
    'grant-types',
    'redirect-uris',
    'post-logout-redirect-uris',
    'web-origins',
    'auth-method',
    'audience',
    'issuer',
    'claim-mapping',
    'alg',
    'every',
    'overlap',
  ],
  ['require-par'],
);
