/** One schema failure as Fastify's validator reports it (Ajv's error object, the parts read here). */
export interface SchemaFailure {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/** camelCase words people would write otherwise. */
const WORDS: Record<string, string> = { ip: 'IP', url: 'URL', id: 'id', ids: 'ids', totp: 'TOTP', json: 'JSON', cidr: 'CIDR' };

/** A field's name as a person reads it: `ipAllowlist` → `IP allowlist`, `body/scopes/2` → `Scopes`. */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_]+/)
    .map((w) => WORDS[w] ?? w);
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const TYPES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  'date-time': 'a time in RFC 3339 form (2026-03-02T09:58:02Z)',
  uri: 'a URL',
  email: 'an email address',
};

/**
 * What a character class allows, in words: `A-Za-z0-9_.:/*-` → `letters, digits and _ . : / * -`.
 * Undefined for a class it cannot say simply (a negated one, other ranges).
 */
function describeClass(cls: string): string | undefined {
  let rest = cls;
  const parts: string[] = [];
  if (rest.includes('A-Z') && rest.includes('a-z')) {
    parts.push('letters');
    rest = rest.replace('A-Z', '').replace('a-z', '');
  } else if (rest.includes('a-z')) {
    parts.push('lower-case letters');
    rest = rest.replace('a-z', '');
  }
  if (rest.includes('0-9')) {
    parts.push('digits');
    rest = rest.replace('0-9', '');
  }
  rest = rest.replace(/\\(.)/g, '$1');
  if (/.-./.test(rest)) return undefined;
  const others = [...rest].join(' ');
  if (others !== '') parts.push(others);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function patternSentence(label: string, pattern: string): string {
  if (pattern === '^[^\\u0000]*$') return `${label} may not contain a NUL character.`;
  if (pattern === '^[^\\s@]+@[^\\s@]+$') return `${label} must be an email address, such as grace@example.com.`;
  const cls = /^\^\[([^\]^][^\]]*)\](?:[+*]|\{\d+,?\d*\})\$$/.exec(pattern);
  const allowed = cls && describeClass(cls[1]!);
  return allowed ? `${label} may contain only ${allowed}.` : `${label} is not in the form it must have.`;
}

/**
 * A sentence about the field for a schema failure, such as "Scopes may contain only letters,
 * digits and _ . : / * -." or "Email must be at least 3 characters long.", in place of the
 * validator's own text (`body/scopes/2 must match pattern "^[A-Za-z0-9_.:/*-]+$"`).
 */
export function validationDetail(where: string, failure: SchemaFailure): string {
  const segments = failure.instancePath.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  const field = segments.at(-1);
  const label = field === undefined ? (where === 'body' ? 'The request body' : `The ${where}`) : fieldLabel(field);
  const p = failure.params;
  const n = (v: unknown) => Number(v);
  switch (failure.keyword) {
    case 'required':
      return `${fieldLabel(String(p.missingProperty))} is required.`;
    case 'additionalProperties': {
      // The name is the caller's own text: said back only when it looks like a field's name.
      const extra = String(p.additionalProperty);
      return /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(extra)
        ? `${extra} is not a field this request takes.`
        : 'The request has a field it does not take.';
    }
    case 'pattern':
      return patternSentence(label, String(p.pattern));
    case 'minLength':
      return n(p.limit) === 1 ? `${label} may not be empty.` : `${label} must be at least ${n(p.limit)} characters long.`;
    case 'maxLength':
      return `${label} may be at most ${n(p.limit)} characters long.`;
    case 'minimum':
      return `${label} must be at least ${n(p.limit)}.`;
    case 'maximum':
      return `${label} may be at most ${n(p.limit)}.`;
    case 'minItems':
      return `${label} must have at least ${n(p.limit)} ${n(p.limit) === 1 ? 'entry' : 'entries'}.`;
    case 'maxItems':
      return `${label} may have at most ${n(p.limit)} entries.`;
    case 'maxProperties':
      return `${label} may have at most ${n(p.limit)} fields.`;
    case 'type':
      return `${label} must be ${TYPES[String(p.type)] ?? String(p.type)}.`;
    case 'enum':
      return `${label} must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}.`;
    case 'format':
      return `${label} must be ${FORMATS[String(p.format)] ?? `in ${String(p.format)} form`}.`;
    case 'uniqueItems':
      return `${label} may not list the same entry twice.`;
    default:
      return `${label} is not valid: ${failure.message ?? 'it does not match the schema'}.`;
  }
}
