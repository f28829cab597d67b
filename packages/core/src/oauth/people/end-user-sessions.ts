import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { safeEqual } from '../../custody/safe-equal.js';
import { isId } from '../../ids.js';

/** An end user's sign-in at the authorization endpoint, as its cookie carries it. */
export interface EndUserSession {
  userId: string;
  workspaceId: string;
  /** When the user authenticated (epoch ms): `auth_time`, and what `max_age` is measured against. */
  authTime: number;
  /** Authentication methods (RFC 8176). */
  amr: string[];
}

/** How long a sign-in lasts at the authorization endpoint. */
export const END_USER_SESSION_MS = 8 * 3_600_000;

/**
 * End-user sessions as sealed cookie values: `userId.workspaceId.authTime.amr.expiry.mac`, the mac
 * an HMAC under the keyring's pepper. Nothing is stored; the user is read again on every use, so
 * a disabled or deleted user's session ends at once. CSRF tokens are bound to a random cookie value
 * the same way (double submit, keyed: a token cannot be made without the pepper).
 */
export class EndUserSessions {
  constructor(
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  seal(s: EndUserSession): string {
    const payload = [s.userId, s.workspaceId, String(s.authTime), s.amr.join('+'), String(s.authTime + END_USER_SESSION_MS)].join('.');
    return `${payload}.${this.keyring.hash('end_user_session', payload)}`;
  }

  open(value: string | undefined): EndUserSession | undefined {
    if (value === undefined || value.length > 512) return undefined;
    const parts = value.split('.');
    if (parts.length !== 6) return undefined;
    const [userId, workspaceId, authTime, amr, exp, mac] = parts as [string, string, string, string, string, string];
    const payload = parts.slice(0, 5).join('.');
    if (!this.keyring.pepperVersions.some((v) => safeEqual(this.keyring.hash('end_user_session', payload, v), mac))) return undefined;
    if (!isId('endUser', userId) || Number(exp) <= this.clock.now()) return undefined;
    return { userId, workspaceId, authTime: Number(authTime), amr: amr === '' ? [] : amr.split('+') };
  }

  /** A fresh value for the CSRF cookie. */
  newCsrfCookie(): string {
    return randomBytes(24).toString('base64url');
  }

  /** The form token that goes with a CSRF cookie value. */
  csrfToken(cookie: string): string {
    return this.keyring.hash('end_user_csrf', cookie);
  }

  /** Whether a form's token goes with the CSRF cookie sent beside it; constant-time. */
  csrfMatches(cookie: string | undefined, token: string | undefined): boolean {
    if (cookie === undefined || token === undefined || cookie.length > 64 || token.length > 128) return false;
    return safeEqual(this.csrfToken(cookie), token);
  }
}
