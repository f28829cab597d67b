// What the management API says about keyspaces and keys, as the console's key pages use it.
import type { Answer } from '../api.js';

/** A keyspace, as `GET /v1/keyspaces` lists it. */
export type Keyspace = Answer<'GET /v1/keyspaces/{id}'>;

/** A key, as `GET /v1/keys/{keyId}` gives it. */
export type Key = Answer<'GET /v1/keys/{keyId}'>;

/** A plain key to show once (just created or rolled). */
export interface ShownKey {
  key: string;
  title: string;
}
