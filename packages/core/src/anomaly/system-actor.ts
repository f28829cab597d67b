import type { Actor } from '../audit/audit-chain.js';

/** The actor monitoring's own changes are audited as: findings, suspensions, scheduled expiries. */
export function systemActor(workspaceId: string | null): Actor {
  return { id: 'system:monitoring', workspaceId, ip: null };
}
