/** The storage port of honeytokens: which keys are decoys. */
export interface HoneytokenRepos {
  insertHoneytoken(h: { keyId: string; workspaceId: string; createdAt: number }): Promise<void>;
  /** Every decoy key's id, of every workspace. */
  listHoneytokenIds(): Promise<string[]>;
}
