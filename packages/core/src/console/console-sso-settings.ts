import type { JWTPayload } from 'jose';
import { CONSOLE_ROLES, type ConsoleRole } from './console-records.js';

/**
 * Console sign-in with the deployment's upstream OpenID Provider, as configured
 * (`TESSERA_CONSOLE_OIDC_*`): the provider, the claim that carries the role and which of its
 * values give which role, the workspace such users belong to, and the button's label.
 */
export interface ConsoleSsoSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** The claim read for the role: a name, or a dotted path into an object claim (`realm_access.roles`). */
  roleClaim: string;
  /** Claim values and the role each gives; a value not listed gives none. */
  roles: ReadonlyMap<string, ConsoleRole>;
  workspaceId: string;
  /** The provider's name on the sign-in page: "Sign in with <label>". */
  label: string;
}

/**
 * Parses `value=role,value=role` (roles `owner`, `admin`, `viewer`); throws naming `what` on a
 * malformed entry, an unknown role or a value given twice.
 */
export function parseRoleMapping(raw: string, what: string): Map<string, ConsoleRole> {
  const roles = new Map<string, ConsoleRole>();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const eq = entry.lastIndexOf('=');
    const value = entry.slice(0, eq).trim();
    const role = entry.slice(eq + 1).trim() as ConsoleRole;
    if (eq <= 0 || value === '' || !CONSOLE_ROLES.includes(role))
      throw new Error(
        `${what} must be a comma-separated list of value=role (roles: ${CONSOLE_ROLES.join(', ')}); "${entry.slice(0, 64)}" is none`,
      );
    if (roles.has(value)) throw new Error(`${what} gives "${value.slice(0, 64)}" a role twice`);
    roles.set(value, role);
  }
  return roles;
}

/** Most powerful first: of several matching values, the first of these that one gives wins. */
const RANK: readonly ConsoleRole[] = ['owner', 'admin', 'viewer'];

/**
 * The role the upstream's claims give: the claim's value (a string, or an array of strings such as
 * `groups`) looked up in the mapping; of several values that map, the most powerful role. None
 * (undefined) when no value maps: such a person is refused, never given a default role.
 */
export function roleFromClaims(settings: Pick<ConsoleSsoSettings, 'roleClaim' | 'roles'>, claims: JWTPayload): ConsoleRole | undefined {
  const raw = readClaim(claims, settings.roleClaim);
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  const given = new Set(values.map((v) => settings.roles.get(v)).filter((r): r is ConsoleRole => r !== undefined));
  return RANK.find((r) => given.has(r));
}

/** A claim by name, or by a dotted path into object claims when no claim has the whole name. */
function readClaim(claims: JWTPayload, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}
