/** A workspace's brand on the hosted pages (migration 0030); null fields: Tessera's own look. */
export interface WorkspaceBranding {
  workspaceId: string;
  /** The name the pages show above their heading. */
  name: string | null;
  /** An `https:` image shown above the heading. */
  logoUrl: string | null;
  /** The accent colour of buttons and links, `#rgb` or `#rrggbb`. */
  color: string | null;
  updatedAt: number;
}

/** Where workspaces' brands are kept. */
export interface BrandingRepos {
  getBranding(workspaceId: string): Promise<WorkspaceBranding | undefined>;
  /** Inserts or replaces the workspace's brand. */
  saveBranding(b: WorkspaceBranding): Promise<void>;
}
