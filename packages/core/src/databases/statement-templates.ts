import { TesseraError } from '../errors.js';

/**
 * A role's statements are SQL with placeholders for the generated login: `{{name}}`,
 * `{{password}}` and `{{expiration}}`. The target puts each value in quoted: `{{name}}` as an
 * identifier, the others as literals (`'{{password}}'` and `"{{name}}"`, as Vault's templates
 * write them, are read the same way). The values come from a safe alphabet besides.
 */
export const PLACEHOLDERS = ['name', 'password', 'expiration'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * What revocation does when a role gives no statements (its sessions are ended before, in any
 * case): the admin takes the login's membership, so that it may drop what the login owns and was
 * granted in this database, then drops the login.
 */
export const DEFAULT_REVOCATION_STATEMENTS = 'GRANT {{name}} TO CURRENT_USER; DROP OWNED BY {{name}}; DROP ROLE {{name}};';
/** What renewal does when a role gives no statements. */
export const DEFAULT_RENEW_STATEMENTS = 'ALTER ROLE {{name}} VALID UNTIL {{expiration}};';

const MAX_STATEMENTS = 8_192;
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The placeholders a kind of statements may use, and must. */
const RULES = {
  creation: { allowed: ['name', 'password', 'expiration'], required: ['name', 'password'] },
  revocation: { allowed: ['name'], required: ['name'] },
  renew: { allowed: ['name', 'expiration'], required: ['name'] },
} as const satisfies Record<string, { allowed: readonly Placeholder[]; required: readonly Placeholder[] }>;

/** Checks a role's statements; a clear VALIDATION_FAILED names what is wrong. */
export function checkStatements(kind: keyof typeof RULES, statements: string): void {
  const field = `${kind}Statements`;
  if (typeof statements !== 'string' || statements.trim() === '') throw new TesseraError('VALIDATION_FAILED', `${field} must not be empty`);
  if (statements.length > MAX_STATEMENTS)
    throw new TesseraError('VALIDATION_FAILED', `${field} must be at most ${MAX_STATEMENTS} characters`);
  const used = new Set<string>();
  for (const m of statements.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!(RULES[kind].allowed as readonly string[]).includes(name))
      throw new TesseraError(
        'VALIDATION_FAILED',
        `${field} may use ${RULES[kind].allowed.map((p) => `{{${p}}}`).join(', ')}; {{${name}}} is not one of them`,
      );
    used.add(name);
  }
  for (const p of RULES[kind].required) if (!used.has(p)) throw new TesseraError('VALIDATION_FAILED', `${field} must use {{${p}}}`);
}

/**
 * Puts the values into statements: `quoteIdent` and `quoteLiteral` are the target's quoting. A
 * placeholder written inside quotes (`"{{name}}"`, `'{{password}}'`) takes the quoting of its quotes.
 */
export function renderStatements(
  statements: string,
  values: Partial<Record<Placeholder, string>>,
  quote: { ident(v: string): string; literal(v: string): string },
): string {
  return statements.replace(/(["']?)\{\{\s*([a-z]+)\s*\}\}\1/g, (whole, q: string, name: string) => {
    const value = values[name as Placeholder];
    if (value === undefined) return whole;
    if (q === '"') return quote.ident(value);
    if (q === "'") return quote.literal(value);
    return name === 'name' ? quote.ident(value) : quote.literal(value);
  });
}
