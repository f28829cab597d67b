/** The workspaces commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const WORKSPACES_HELP = `  workspaces create NAME [--root-key-name N] [--root-key-permissions a,b]
                                        create a workspace; with --root-key-permissions also its first root key (shown once)
  workspaces list [--limit N] [--all]   the workspaces the root key reaches
  workspaces rename ID NAME             (any client command takes --workspace ID: see below)`;

export const WORKSPACES_OPTIONS = flags(['workspace', 'root-key-name', 'root-key-permissions', 'other-workspaces']);
