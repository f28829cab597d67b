import type { ConsolePasskeyRecord, ConsoleUserRecord } from '@tessera/core';
import { iso } from './views.js';

/** A console user as the console API (and `tessera users`) shows it: never a hash, a secret or a recovery code. */
export function userView(u: ConsoleUserRecord) {
  return {
    id: u.id,
    workspaceId: u.workspaceId,
    otherWorkspaceIds: u.otherWorkspaceIds,
    email: u.email,
    name: u.name,
    role: u.role,
    totpEnrolled: u.totpSecret !== null,
    recoveryCodesLeft: u.recoveryCodes.length,
    locked: u.lockedUntil !== null,
    disabled: u.disabledAt !== null,
    createdAt: iso(u.createdAt),
    lastLoginAt: iso(u.lastLoginAt),
  };
}

/** A passkey as the console API shows it: its name and dates, not its key. */
export function passkeyView(p: ConsolePasskeyRecord) {
  return { id: p.id, name: p.name, createdAt: iso(p.createdAt), lastUsedAt: iso(p.lastUsedAt) };
}
