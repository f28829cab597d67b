import { useEffect, useState } from 'react';
import type { SessionInfo } from './api.js';
import { Options } from './options.js';
import { loadWorkspaces, type Workspace } from './workspaces.js';

/**
 * The workspace the console works in, in the header: its name, and a list of the others the user
 * reaches to switch to (none when there are no others). Switching is the caller's: it remembers
 * the choice and reloads the page's data.
 */
export function WorkspaceSwitcher({ session, onSwitch }: { session: SessionInfo; onSwitch(workspaceId: string): void }) {
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  useEffect(() => {
    let current = true;
    // Read again with every new session (a workspace made or renamed); without names the ids stand in.
    loadWorkspaces().then(
      (list) => current && setWorkspaces(list),
      () => current && setWorkspaces(null),
    );
    return () => {
      current = false;
    };
  }, [session]);
  const nameOf = (id: string) => workspaces?.find((w) => w.id === id)?.name ?? id;
  const ids = workspaces?.map((w) => w.id).filter((id) => session.workspaceIds.includes(id)) ?? session.workspaceIds;
  if (session.workspaceIds.length < 2)
    return (
      <p className="workspace" data-testid="workspace-name">
        <span className="workspace-label">Workspace</span> <strong>{nameOf(session.workspaceId)}</strong>
      </p>
    );
  return (
    <div className="workspace">
      <label htmlFor="workspace-switcher" className="workspace-label">
        Workspace
      </label>{' '}
      <select id="workspace-switcher" value={session.workspaceId} onChange={(e) => onSwitch(e.target.value)}>
        <Options values={ids} label={nameOf} />
      </select>
    </div>
  );
}
