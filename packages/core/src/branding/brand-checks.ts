import { TesseraError } from '../errors.js';

// What a brand may hold, checked the same for the portal and the hosted sign-in pages.

/** A hex colour, `#rgb` or `#rrggbb`: nothing else reaches a style sheet. */
const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** An absolute `https:` URL without credentials, at most 2000 characters: what a logo may be. */
function isHttpsUrl(value: string): boolean {
  if (value.length > 2000 || !URL.canParse(value)) return false;
  const u = new URL(value);
  return u.protocol === 'https:' && u.username === '' && u.password === '';
}

/**
 * Checks a brand's name (1–100 characters), colour and logo, each when set; `as` names the fields
 * in the error as the caller's API calls them.
 */
export function checkBrand(
  b: { name: string | null; color: string | null; logoUrl: string | null },
  as: { name: string; color: string; logoUrl: string },
): void {
  if (b.name !== null && (b.name.trim() === '' || b.name.length > 100))
    throw new TesseraError('VALIDATION_FAILED', `${as.name} must be 1 to 100 characters.`);
  if (b.color !== null && !HEX_COLOUR.test(b.color))
    throw new TesseraError('VALIDATION_FAILED', `${as.color} must be a hex colour: #rgb or #rrggbb.`);
  if (b.logoUrl !== null && !isHttpsUrl(b.logoUrl))
    throw new TesseraError(
      'VALIDATION_FAILED',
      `${as.logoUrl} must be an absolute https: URL without credentials, at most 2000 characters.`,
    );
}
