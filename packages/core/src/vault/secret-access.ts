import { scopeGrants } from '../scopes/scope-expression.js';

/**
 * Secret permissions can name the secrets they cover: `secrets:read:payments/*` reads every
 * secret whose name starts with `payments/`; `secrets:write:stripe/live` writes that one only.
 * In a pattern `*` matches any run of characters (`/` included). Plain `secrets:read`,
 * `secrets:*` and `*` cover every name.
 */
export const NAME_SCOPED_PERMISSIONS: readonly string[] = ['secrets:read', 'secrets:write'];

/** Secret names: path-like segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
export const SECRET_NAME_MAX = 200;
const GRANT_PATTERN = /^secrets:(read|write):([A-Za-z0-9_./*-]{1,200})$/;

export function isSecretGrant(value: string): boolean {
  return GRANT_PATTERN.test(value);
}

export function isSecretName(name: string): boolean {
  return name.length <= SECRET_NAME_MAX && SECRET_NAME_PATTERN.test(name) && !name.split('/').some((s) => s === '.' || s === '..');
}

/** Whether `granted` allows `operation` on the secret `name`. */
export function canAccessSecret(granted: readonly string[], operation: 'read' | 'write', name: string): boolean {
  const needed = `secrets:${operation}`;
  return granted.some((g) => {
    if (scopeGrants(g, needed)) return true;
    const m = GRANT_PATTERN.exec(g);
    return m !== null && m[1] === operation && globMatch(m[2]!, name);
  });
}

function globMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  const end = name.length - parts[parts.length - 1]!.length;
  for (const mid of parts.slice(1, -1)) {
    const i = name.indexOf(mid, at);
    if (i === -1 || i + mid.length > end) return false;
    at = i + mid.length;
  }
  return at <= end;
}
