import type { PushedRequestRecord } from './people/end-user-records.js';

/** Where pushed authorization requests (RFC 9126) are kept, by the keyed hash of their `request_uri`. */
export interface PushedRequestRepos {
  insertPushedRequest(r: PushedRequestRecord): Promise<void>;
  findPushedRequest(hash: string): Promise<PushedRequestRecord | undefined>;
  /** Marks a request used (compare-and-set); true when this call did. */
  spendPushedRequest(hash: string, at: number): Promise<boolean>;
}
