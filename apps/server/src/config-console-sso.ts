import { parseRoleMapping, type ConsoleSsoSettings } from '@tessera/core';
import type { Entry } from './config-entry.js';

const text = (env: string, doc: string, def: string | undefined, secret?: true): Entry<string | undefined> => ({
  env,
  doc,
  default: def,
  parse: (v) => v,
  ...(secret && { secret }),
});

/**
 * Console sign-in with an upstream OpenID Provider (docs/console.md, "Signing in with your
 * identity provider"): off unless `TESSERA_CONSOLE_OIDC_ISSUER` is set.
 */
export const CONSOLE_SSO_SCHEMA = {
  consoleOidcIssuer: text(
    'TESSERA_CONSOLE_OIDC_ISSUER',
    'Sign in to the console with this OpenID Provider (its issuer URL, exactly as its discovery document names it; https, or http on loopback) besides local accounts. Register `<console origin>/console/sso/callback` with it as the redirect URI. Unset: local accounts only.',
    undefined,
  ),
  consoleOidcClientId: text('TESSERA_CONSOLE_OIDC_CLIENT_ID', "The console's client id at the provider.", undefined),
  consoleOidcClientSecret: text(
    'TESSERA_CONSOLE_OIDC_CLIENT_SECRET',
    "The console's client secret at the provider (`client_secret_basic` or `client_secret_post`, whichever it takes). A secret: never logged.",
    undefined,
    true,
  ),
  consoleOidcScopes: text(
    'TESSERA_CONSOLE_OIDC_SCOPES',
    'Scopes asked of the provider, space-separated; `openid` is always sent. Ask for the one that releases the role claim if the provider needs it (such as `groups`).',
    'openid email profile',
  ),
  consoleOidcRoleClaim: text(
    'TESSERA_CONSOLE_OIDC_ROLE_CLAIM',
    'The claim (ID token or UserInfo) that carries the role: a string or an array of strings, such as `groups`; a dotted path reads into an object claim (`realm_access.roles`).',
    'groups',
  ),
  consoleOidcRoles: text(
    'TESSERA_CONSOLE_OIDC_ROLES',
    'Which values of the role claim give which console role: `value=role,…` with roles `owner`, `admin`, `viewer` (such as `tessera-owners=owner,platform=admin,staff=viewer`). Of several matching values the most powerful role wins; a person with no matching value is refused, never given a default role. The role is set again at every sign-in. Required with the issuer.',
    undefined,
  ),
  consoleOidcWorkspace: text(
    'TESSERA_CONSOLE_OIDC_WORKSPACE',
    'The workspace the console users who sign in with the provider belong to.',
    'ws_default',
  ),
  consoleOidcLabel: text(
    'TESSERA_CONSOLE_OIDC_LABEL',
    'The provider\'s name on the console sign-in page, whose button reads "Sign in with <label>".',
    'single sign-on',
  ),
} as const;

type SsoConfig = { readonly [K in keyof typeof CONSOLE_SSO_SCHEMA]: string | undefined };

/** The console's upstream sign-in from the configuration, checked; undefined when it is off. Throws naming what is missing. */
export function consoleSsoSettings(config: SsoConfig): ConsoleSsoSettings | undefined {
  if (config.consoleOidcIssuer === undefined) return undefined;
  const missing = (
    [
      ['consoleOidcClientId', 'TESSERA_CONSOLE_OIDC_CLIENT_ID'],
      ['consoleOidcClientSecret', 'TESSERA_CONSOLE_OIDC_CLIENT_SECRET'],
      ['consoleOidcRoles', 'TESSERA_CONSOLE_OIDC_ROLES'],
    ] as const
  ).filter(([k]) => config[k] === undefined);
  if (missing.length > 0) throw new Error(`TESSERA_CONSOLE_OIDC_ISSUER needs ${missing.map(([, env]) => env).join(', ')}`);
  const issuer = config.consoleOidcIssuer;
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  const loopback = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.hash !== '' || url.username !== '')
    throw new Error('TESSERA_CONSOLE_OIDC_ISSUER must be an https URL (http on loopback), without credentials or a fragment');
  const scopes = (config.consoleOidcScopes ?? '').split(/\s+/).filter(Boolean);
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
    throw new Error('TESSERA_CONSOLE_OIDC_SCOPES must be scope names separated by spaces');
  const label = (config.consoleOidcLabel ?? '').trim();
  if (label === '' || label.length > 60) throw new Error('TESSERA_CONSOLE_OIDC_LABEL must have 1 to 60 characters');
  const roleClaim = config.consoleOidcRoleClaim ?? 'groups';
  if (!/^[\x21-\x7e]{1,100}$/.test(roleClaim)) throw new Error('TESSERA_CONSOLE_OIDC_ROLE_CLAIM must be a claim name');
  return {
    issuer,
    clientId: config.consoleOidcClientId!,
    clientSecret: config.consoleOidcClientSecret!,
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    roleClaim,
    roles: parseRoleMapping(config.consoleOidcRoles!, 'TESSERA_CONSOLE_OIDC_ROLES'),
    workspaceId: config.consoleOidcWorkspace ?? 'ws_default',
    label,
  };
}
