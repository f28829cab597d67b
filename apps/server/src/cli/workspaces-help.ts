/** The workspaces commands' lines in `tessera --help`, and their flags: read without loading the commands. */

export const WORKSPACES_HELP = `  workspaces create NAME [--root-key-name N] [--root-key-permissions a,b]
                                        create a workspace; with --root-key-permissions also its first root key (shown once)
  workspaces list [--limit N] [--all]   the workspaces the root key reaches
  workspaces rename ID NAME             (any client command takes --workspace ID: see below)`;

export const WORKSPACES_OPTIONS = {
  workspace: { type: 'string' },
  'root-key-name': { type: 'string' },
  'root-key-permissions': { type: 'string' },
  'other-workspaces': { type: 'string' },
} as const;
