// What the management API says about keyspaces and keys, as the console's key pages use it.
import type { Answer } from '../api.js';
import type { Reveal } from '../show-once.js';

/** A keyspace, as `GET /v1/keyspaces` lists it. */
export type Keyspace = Answer<'GET /v1/keyspaces/{id}'>;

/** A key, as `GET /v1/keys/{keyId}` gives it. */
export type Key = Answer<'GET /v1/keys/{keyId}'>;

/** A plain key to show once (just created or rolled). */
export interface ShownKey {
  key: string;
  title: string;
}

/** A new key as a page shows it once: Tessera keeps only its hash. */
export function keyReveal(k: ShownKey & { note?: string }): Reveal {
  return { title: k.title, value: k.key, note: `Tessera keeps only a hash.${k.note ? ` ${k.note}` : ''}` };
}

/** A suspension, as `GET /v1/suspensions` lists it: a key disabled by a policy or a leak report. */
export type Suspension = Answer<'GET /v1/suspensions'>['items'][number];

/** Why a suspended key is off, in words: a leak report quarantines; a policy suspends. */
export function holdOf(s: Suspension): { label: 'quarantined' | 'suspended'; why: string } {
  const kind = s.reason.startsWith('anomaly ') ? s.reason.slice('anomaly '.length) : s.reason;
  if (kind === 'key_leaked') return { label: 'quarantined', why: 'it was reported leaked' };
  return { label: 'suspended', why: `a keyspace policy suspended it (${kind.replaceAll('_', ' ')})` };
}
