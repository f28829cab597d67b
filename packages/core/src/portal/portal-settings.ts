import { TesseraError } from '../errors.js';
import { checkBrand } from '../branding/brand-checks.js';

/**
 * What a keyspace lets its key owners do in the portal, and how the portal looks. Kept on the
 * keyspace; a keyspace that never set them has the defaults.
 */
export interface PortalSettings {
  /** The most keys an owner may hold that are neither revoked nor expired. */
  maxKeysPerOwner: number;
  /** The scopes an owner may give a key; empty: the owner's keys have no scopes. */
  allowedScopes: string[];
  /** The longest lifetime an owner may give a key, in seconds. */
  maxLifetimeSeconds: number;
  /** The provider's application as the portal names it ("Back to …"); null: the keyspace's name. */
  appName: string | null;
  /** An `https:` image shown above the portal; null: none. */
  logoUrl: string | null;
  /** The portal's accent colour, `#rgb` or `#rrggbb`; null: Tessera's blue. */
  brandColor: string | null;
  /** When they were last set (epoch ms); 0 for the defaults. */
  updatedAt: number;
}

export const DEFAULT_PORTAL_SETTINGS: Readonly<PortalSettings> = Object.freeze({
  maxKeysPerOwner: 5,
  allowedScopes: [],
  maxLifetimeSeconds: 90 * 86_400,
  appName: null,
  logoUrl: null,
  brandColor: null,
  updatedAt: 0,
});

/** Hex colours only: a CSS colour from the API goes into a style sheet, so nothing else gets in. */
/** The scope grammar of keys: what `POST /v1/keys` accepts too. */
const SCOPE = /^[A-Za-z0-9_.:/*-]{1,128}$/;

export type PortalSettingsInput = Partial<Omit<PortalSettings, 'updatedAt'>>;

/** The settings after a change: each field given replaces the current one, checked; the rest stay. */
export function applyPortalSettings(current: PortalSettings, input: PortalSettingsInput, now: number): PortalSettings {
  const next: PortalSettings = { ...current, ...definedOnly(input), updatedAt: now };
  if (!Number.isInteger(next.maxKeysPerOwner) || next.maxKeysPerOwner < 1 || next.maxKeysPerOwner > 1000)
    throw new TesseraError('VALIDATION_FAILED', 'maxKeysPerOwner must be a whole number from 1 to 1000.');
  if (!Number.isInteger(next.maxLifetimeSeconds) || next.maxLifetimeSeconds < 3600 || next.maxLifetimeSeconds > 10 * 365 * 86_400)
    throw new TesseraError('VALIDATION_FAILED', 'maxLifetimeSeconds must be whole seconds from one hour to ten years.');
  if (next.allowedScopes.length > 100 || next.allowedScopes.some((s) => !SCOPE.test(s)))
    throw new TesseraError('VALIDATION_FAILED', 'allowedScopes: at most 100 scopes, each 1 to 128 of A-Z a-z 0-9 _ . : / * -.');
  next.allowedScopes = [...new Set(next.allowedScopes)];
  checkBrand(
    { name: next.appName, color: next.brandColor, logoUrl: next.logoUrl },
    { name: 'appName', color: 'brandColor', logoUrl: 'logoUrl' },
  );
  return next;
}

function definedOnly(input: PortalSettingsInput): PortalSettingsInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as PortalSettingsInput;
}

/**
 * Where the portal's back link may go: an absolute `https:` URL, or `http:` on a loopback host
 * (a provider's development machine). Anything else, `javascript:` first of all, is refused.
 */
export function checkReturnUrl(value: string): string {
  const refused = () =>
    new TesseraError('VALIDATION_FAILED', 'returnUrl must be an absolute https: URL (or http: on localhost or a loopback address).');
  if (value.length > 2000 || !URL.canParse(value)) throw refused();
  const u = new URL(value);
  if (u.username !== '' || u.password !== '') throw refused();
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw refused();
  return u.toString();
}
