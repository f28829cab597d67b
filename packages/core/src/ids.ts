import { encodeBase62Int } from '@tessera/api';
import { randomBase62 } from './base62.js';

/** Every id prefix in one table, so an id says what it names. */
export const ID_PREFIX = {
  key: 'key',
  keyspace: 'ks',
  rootKey: 'rk',
  workspace: 'ws',
  audit: 'evt',
  request: 'req',
  oauthClient: 'cli',
  clientSecret: 'cs',
  tokenFamily: 'fam',
  refreshToken: 'rtk',
  wrappedKey: 'wk',
  secret: 'sec',
  anomaly: 'anm',
  suspension: 'sus',
  webhook: 'wh',
  webhookDelivery: 'whd',
  webhookEvent: 'wev',
  consoleUser: 'usr',
  endUser: 'eu',
  passkey: 'pk',
  databaseConnection: 'dbc',
  databaseRole: 'dbr',
  databaseLease: 'dbl',
  secretRotation: 'rot',
  portalSession: 'psn',
  upstreamProvider: 'idp',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/**
 * A prefixed id that sorts by creation time: 8 base62 characters of milliseconds, then 14
 * random ones (83 bits). Base62's alphabet is in ASCII order, so ids compare as strings.
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIX[kind]}_${encodeBase62Int(now, 8)}${randomBase62(14)}`;
}

const ID_PATTERN = /^[a-z]{2,3}_[0-9A-Za-z]{22}$/;

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIX[kind]}_`) && ID_PATTERN.test(value);
}
