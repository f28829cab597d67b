import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SecretMemory } from './client-auth.js';
import type { ClientSecretRecord, OAuthClientRecord } from './oauth-records.js';
import type { OAuthClientRepos } from './client-repos.js';

export interface ClientDirectoryOptions {
  maxEntries: number;
  /** The longest a cached client is trusted without a word from the bus: a safety net, not the mechanism. */
  ttlMs: number;
}

export const DEFAULT_CLIENT_DIRECTORY: ClientDirectoryOptions = { maxEntries: 10_000, ttlMs: 60_000 };

interface Entry {
  client: OAuthClientRecord;
  secrets: ClientSecretRecord[];
  loadedAt: number;
  /** SHA-256 digests of secrets that authenticated this client, with the record each one matched. */
  verified: { digest: Buffer; secret: ClientSecretRecord }[];
}

/**
 * The clients the OAuth endpoints authenticate, with their secret hashes, kept in memory: client
 * authentication then costs one HMAC instead of two store reads. A change to a client (update,
 * delete, secret rotation) reaches every node's directory through the invalidation bus; a load
 * that raced with an invalidation is used once and not kept, and an entry older than `ttlMs` is
 * read again. Unknown client ids are not cached, so made-up ids cannot fill the memory.
 *
 * It also remembers which secrets authenticated a client, as SHA-256 digests (a one-shot hash
 * costs a third of the keyed HMAC, and the digest of a 256-bit random secret gives nothing away):
 * the next request with the same secret is checked against the digest, in constant time, while
 * the secret record it matched is still live. The memory goes with the entry — on any change to
 * the client, and at the entry's TTL.
 */
export class ClientDirectory implements Pick<OAuthClientRepos, 'getClient' | 'listLiveClientSecrets'>, SecretMemory {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation; a load that started before one is not kept. */
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly repos: Pick<OAuthClientRepos, 'getClient' | 'listLiveClientSecrets'>,
    private readonly clock: Clock,
    private readonly options: ClientDirectoryOptions = DEFAULT_CLIENT_DIRECTORY,
  ) {}

  async getClient(id: string): Promise<OAuthClientRecord | undefined> {
    return (await this.entry(id))?.client;
  }

  async listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]> {
    const entry = await this.entry(clientId);
    if (entry === undefined) return this.repos.listLiveClientSecrets(clientId, now);
    return entry.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
  }

  recall(clientId: string, digest: Buffer, now: number): boolean {
    const entry = this.fresh(clientId, now);
    if (entry === undefined) return false;
    let found = false;
    for (const v of entry.verified)
      found = (timingSafeEqual(v.digest, digest) && (v.secret.expiresAt === null || v.secret.expiresAt > now)) || found;
    return found;
  }

  remember(clientId: string, digest: Buffer, secret: ClientSecretRecord): void {
    const entry = this.entries.get(clientId);
    // Only secrets of the entry's own records, each once: the list stays as short as the live secrets.
    if (entry === undefined || !entry.secrets.includes(secret) || entry.verified.some((v) => v.secret === secret)) return;
    entry.verified.push({ digest, secret });
  }

  /** Forgets one client, after it changed here or on another node. */
  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(id: string, now: number): Entry | undefined {
    const cached = this.entries.get(id);
    return cached !== undefined && now - cached.loadedAt < this.options.ttlMs ? cached : undefined;
  }

  private async entry(id: string): Promise<Entry | undefined> {
    const now = this.clock.now();
    const cached = this.fresh(id, now);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const generation = this.generation;
    const client = await this.repos.getClient(id);
    if (client === undefined) {
      this.entries.delete(id);
      return undefined;
    }
    const entry: Entry = { client, secrets: await this.repos.listLiveClientSecrets(id, now), loadedAt: now, verified: [] };
    if (generation === this.generation) {
      this.entries.delete(id);
      if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, entry);
    }
    return entry;
  }
}
