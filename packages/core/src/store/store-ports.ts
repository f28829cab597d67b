import type { MonitoringStore } from '../usage/monitoring-store.js';
import type { OAuthStore } from '../oauth/oauth-store.js';
import type { Store } from './store.js';

/**
 * Every port a storage adapter provides, as one bundle: the server wires its services from
 * these types alone, so any adapter that fills the bundle gets every capability.
 */
export interface StorePorts {
  /** Keys, keyspaces, root keys, the audit chain, the keyring, the vault, console accounts and idempotency records. */
  readonly store: Store;
  /** Usage events, anomalies, suspensions, honeytokens, webhooks and hygiene notices. */
  readonly monitoring: MonitoringStore;
  /** Clients, signing keys, tokens and grants of the authorization server. */
  readonly oauth: OAuthStore;
}
