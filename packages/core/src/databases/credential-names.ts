import { randomBytes } from 'node:crypto';
import { randomBase62 } from '../base62.js';

/** Names of connections and roles: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const DATABASE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh login name: `t_<role>_<16 random>` of lower-case letters, digits and `_` only (within
 * PostgreSQL's 63 bytes), so it needs no quoting and can never close a quote.
 */
export function generateLoginName(roleName: string): string {
  const slug = roleName.replace(/-/g, '_').slice(0, 24);
  let random = '';
  while (random.length < 16) for (const b of randomBytes(32)) if (b < 252 && random.length < 16) random += LOWER[b % 36];
  return `t_${slug}_${random}`;
}

/** A fresh password: 32 base62 characters (190 bits), nothing a quote could be made of. */
export function generatePassword(): string {
  return randomBase62(32);
}
