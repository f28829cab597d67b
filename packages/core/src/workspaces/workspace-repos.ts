/** A workspace: the unit of isolation every record belongs to. */
export interface WorkspaceRecord {
  id: string;
  name: string;
  createdAt: number;
}

/** The storage port of workspaces themselves (their keyspaces are in KeyspaceRepos). */
export interface WorkspaceRepos {
  getWorkspace(id: string): Promise<WorkspaceRecord | undefined>;
  /** Those of the workspaces `ids` that exist, by id, after the id `after`, at most `limit`. */
  listWorkspaces(q: { ids: readonly string[]; after?: string | undefined; limit: number }): Promise<WorkspaceRecord[]>;
  /** Writes a new name; false when there is no such workspace. */
  renameWorkspace(id: string, name: string): Promise<boolean>;
}
