import type { UsageEvent } from '../usage/usage-event.js';
import type { ClientAuthFailure } from './fleet-failure-options.js';

/**
 * What a fleet-wide scope is about: a workspace's key verifications, one keyspace's, a
 * workspace's OAuth endpoints (`oauthClient` `''`), or one OAuth client id's.
 */
export interface FleetScope {
  workspaceId: string;
  keyspaceId: string | null;
  /** Set for the OAuth endpoints' scopes: `''` for the workspace's, else the client id the failures named. */
  oauthClient: string | null;
}

/** The scope's name in a sentence. */
export function scopeWhere(b: FleetScope): string {
  if (b.oauthClient === null) return b.keyspaceId === null ? `Workspace ${b.workspaceId}` : `Keyspace ${b.keyspaceId}`;
  return b.oauthClient === '' ? `Workspace ${b.workspaceId}'s OAuth endpoints (client authentication)` : `OAuth client ${b.oauthClient}`;
}

/** The scope's part of its key (`<workspace>|<label>`) and of its findings' fingerprints. */
export function scopeLabel(b: FleetScope): string {
  if (b.oauthClient === null) return b.keyspaceId ?? '*';
  return b.oauthClient === '' ? 'oauth' : `oauth:${b.oauthClient}`;
}

/** `details.scope` of its findings. */
export function scopeKind(b: FleetScope): 'workspace' | 'keyspace' | 'oauth' | 'oauth_client' {
  if (b.oauthClient === null) return b.keyspaceId === null ? 'workspace' : 'keyspace';
  return b.oauthClient === '' ? 'oauth' : 'oauth_client';
}

/** A failed client authentication as the counters take it: an event that is counted, never stored. */
export function clientAuthEvent(f: ClientAuthFailure): UsageEvent {
  return {
    ts: f.ts,
    workspaceId: f.workspaceId,
    keyId: null,
    keyspaceId: null,
    ownerId: null,
    outcome: 'INVALID_CLIENT' as UsageEvent['outcome'], // not a verify code
    ip: f.ip,
    network: null,
    userAgent: null,
    cost: 0,
    resource: f.endpoint,
    method: null,
    scopes: null,
  };
}
