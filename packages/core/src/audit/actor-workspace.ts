import { TesseraError } from '../errors.js';
import type { Actor } from './audit-chain.js';

/** The actor's workspace: what a workspace-wide call acts on. An actor without one is refused. */
export function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
