import type { Kysely } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import type { FederationDatabase } from './federation-schema.js';
import type { OAuthDatabase } from './oauth-schema.js';

/**
 * What each OAuth adapter reads and writes through: the handle's OAuth tables, and those of
 * sign-in with upstream providers, declared beside their migrations rather than in the shared
 * schema.
 */
export class OAuthHandle extends KyselyHandle {
  protected get q(): Kysely<OAuthDatabase> {
    return this.db as unknown as Kysely<OAuthDatabase>;
  }

  protected get federation(): Kysely<FederationDatabase> {
    return this.db as unknown as Kysely<FederationDatabase>;
  }
}
