import type { Page } from '../store/page.js';
import type { ClientSecretRecord, OAuthClientRecord } from './oauth-records.js';

/** Where OAuth clients, their secrets and the audiences they claim are kept. */
export interface OAuthClientRepos {
  insertClient(c: OAuthClientRecord): Promise<void>;
  getClient(id: string): Promise<OAuthClientRecord | undefined>;
  /** Live (not deleted) clients of a workspace, in id order. */
  listClients(q: { workspaceId: string } & Page): Promise<OAuthClientRecord[]>;
  /** Whether a live client of any workspace registered this web origin (CORS preflights name no client). */
  webOriginRegistered(origin: string): Promise<boolean>;
  updateClient(id: string, patch: Partial<Omit<OAuthClientRecord, 'id' | 'workspaceId' | 'createdAt'>>): Promise<void>;

  /**
   * Claims audiences for a workspace: each belongs to one workspace at most (a unique constraint).
   * Returns the first audience another workspace holds (and claims none of the rest), or undefined.
   */
  claimAudiences(workspaceId: string, audiences: readonly string[], now: number): Promise<string | undefined>;
  /** Gives up the workspace's claim on those of these audiences that no live client of it names. */
  releaseAudiences(workspaceId: string, audiences: readonly string[]): Promise<void>;

  /** Live clients whose secret fell due (`secretRotationDueAt` <= now) and whose owner was not told yet. */
  listClientsDueForSecretRotation(now: number, limit: number): Promise<OAuthClientRecord[]>;
  /** Records the due notice, if no node did for this due date yet; false when one did. */
  markSecretRotationNotified(id: string, dueAt: number, now: number): Promise<boolean>;

  insertClientSecret(s: ClientSecretRecord): Promise<void>;
  /** Secrets whose `expiresAt` is null or later than `now`, in id order. */
  listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]>;
  expireClientSecret(id: string, expiresAt: number): Promise<void>;
}
