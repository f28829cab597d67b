import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { RootKeyRecord } from '../store/records.js';
import type { Repos, Store } from '../store/store.js';
import type { RootKeyInput, RootKeyService } from '../root-keys/root-key-service.js';
import { workspacesOf } from '../root-keys/root-key-scope.js';
import type { WorkspaceRecord } from './workspace-repos.js';

export interface NewWorkspace {
  name: string;
  /** A first root key for the new workspace, made with it; at most what the creator holds. */
  rootKey?: Pick<RootKeyInput, 'name' | 'permissions'> | undefined;
}

/**
 * Workspaces: made, listed and renamed by root keys (and console users) that reach them. A root
 * key or console user that makes one reaches it from then on (its `otherWorkspaceIds`), and may
 * ask for the workspace's first root key.
 */
export class WorkspaceService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      bus: InvalidationBus;
      rootKeys: Pick<RootKeyService, 'createWithin'>;
      /** Makes the new workspace's data key, outside the transaction (see `ensureDataKey`). */
      ensureDataKey: (workspaceId: string) => Promise<unknown>;
    },
  ) {}

  async create(
    actor: Actor,
    creator: RootKeyRecord,
    input: NewWorkspace,
  ): Promise<{ workspace: WorkspaceRecord; rootKey?: { id: string; key: string } }> {
    // Reach is granted to a root key or a console user; a key limited to keyspaces cannot carry it.
    const byUser = isId('consoleUser', creator.id);
    if ((!byUser && !isId('rootKey', creator.id)) || creator.keyspaceIds !== null)
      throw new TesseraError('FORBIDDEN', 'Workspaces are created with a root key that reaches whole workspaces, or by a console owner.');
    const workspace: WorkspaceRecord = { id: newId('workspace'), name: input.name, createdAt: this.deps.clock.now() };
    const inNew: Actor = { ...actor, workspaceId: workspace.id };
    const made = await this.deps.store.transaction(async (tx) => {
      await tx.insertWorkspace(workspace);
      await appendAudit(tx, this.deps.clock, inNew, {
        action: 'workspace.created',
        target: workspace.id,
        details: { name: workspace.name },
      });
      // The creator's own workspace sees it too: one of its keys (or users) now reaches another workspace.
      if (creator.workspaceId !== workspace.id)
        await appendAudit(
          tx,
          this.deps.clock,
          { ...actor, workspaceId: creator.workspaceId },
          { action: 'workspace.created', target: workspace.id, details: { name: workspace.name, reachedBy: creator.id } },
        );
      // The creator's record, read afresh: the request's copy may be homed in another of its workspaces.
      const stored = byUser ? undefined : (await tx.getRootKey(creator.id))!;
      if (stored !== undefined) await tx.updateRootKey(stored.id, { otherWorkspaceIds: [...stored.otherWorkspaceIds, workspace.id] });
      else await this.reachFromConsole(tx, creator.id, workspace.id);
      const reaching = { ...creator, otherWorkspaceIds: [...creator.otherWorkspaceIds, workspace.id] };
      const rootKey =
        input.rootKey === undefined ? undefined : await this.deps.rootKeys.createWithin(tx, inNew, reaching, input.rootKey, workspace.id);
      return { stored, rootKey };
    });
    if (made.stored !== undefined) await this.deps.bus.publish({ kind: 'root_key', id: made.stored.id, hash: made.stored.hash });
    await this.deps.ensureDataKey(workspace.id);
    return { workspace, ...(made.rootKey !== undefined && { rootKey: { id: made.rootKey.record.id, key: made.rootKey.key } }) };
  }

  /** The console user who made a workspace reaches it from then on (read afresh, as the root key is). */
  private async reachFromConsole(tx: Repos, userId: string, workspaceId: string): Promise<void> {
    const user = (await tx.console.getUser(userId))!;
    await tx.console.updateUser(userId, { otherWorkspaceIds: [...user.otherWorkspaceIds, workspaceId], updatedAt: this.deps.clock.now() });
  }

  /** The workspaces the holder reaches, by id, a page at a time. */
  list(holder: RootKeyRecord, page: { after?: string | undefined; limit: number }): Promise<WorkspaceRecord[]> {
    return this.deps.store.workspaces.listWorkspaces({ ids: workspacesOf(holder), ...page });
  }

  /** A workspace the holder reaches; any other is NOT_FOUND, whether it exists or not. */
  async get(holder: RootKeyRecord, id: string): Promise<WorkspaceRecord> {
    const ws = workspacesOf(holder).includes(id) ? await this.deps.store.workspaces.getWorkspace(id) : undefined;
    if (ws === undefined) throw new TesseraError('NOT_FOUND', 'No such workspace.');
    return ws;
  }

  async rename(actor: Actor, holder: RootKeyRecord, id: string, name: string): Promise<WorkspaceRecord> {
    const before = await this.get(holder, id);
    if (before.name === name) return before;
    return this.deps.store.transaction(async (tx) => {
      if (!(await tx.workspaces.renameWorkspace(id, name))) throw new TesseraError('NOT_FOUND', 'No such workspace.');
      await appendAudit(
        tx,
        this.deps.clock,
        { ...actor, workspaceId: id },
        {
          action: 'workspace.renamed',
          target: id,
          details: { name, previousName: before.name },
        },
      );
      return { ...before, name };
    });
  }
}
