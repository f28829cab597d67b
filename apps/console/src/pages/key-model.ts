// What the management API says about keyspaces and keys, as the console's key pages use it.
import type { Operations } from '@tessera/api';

/** A keyspace, as `GET /v1/keyspaces` lists it. */
export type Keyspace = Operations['GET /v1/keyspaces/{id}']['response'];

/** A key, as `GET /v1/keys/{keyId}` gives it. */
export type Key = Operations['GET /v1/keys/{keyId}']['response'];

/** A plain key to show once (just created or rolled). */
export interface ShownKey {
  key: string;
  title: string;
}
