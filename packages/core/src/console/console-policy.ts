import { TesseraError } from '../errors.js';

/** How long console sessions last, and when repeated failed sign-ins lock an account or throttle an address. */
export interface ConsolePolicy {
  /** A session ends after this long without a request. */
  idleMs: number;
  /** …and this long after sign-in, whatever the activity. */
  absoluteMs: number;
  /**
   * Consecutive failed second factors after a right password (or wrong passwords, for an account
   * that has no second factor yet) that lock an account…
   */
  maxFailures: number;
  /** …for this long. */
  lockoutMs: number;
  /** Failed sign-ins one address may make in `lockoutMs` before it is throttled. */
  maxFailuresPerIp: number;
  /** Failed sign-ins audited one by one per `lockoutMs`; past it they are summed into one entry. */
  maxFailureEntries: number;
}

export const DEFAULT_CONSOLE_POLICY: ConsolePolicy = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
  maxFailuresPerIp: 30,
  maxFailureEntries: 25,
};

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

/** Refuses a password too short to resist guessing, or too long to hash cheaply. */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new TesseraError('VALIDATION_FAILED', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new TesseraError('VALIDATION_FAILED', `a password may have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** Emails are kept and looked up trimmed and lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
