import {
  PortalKeys,
  PortalSessions,
  PortalSettingsService,
  type AnalyticsService,
  type Clock,
  type Keyring,
  type KeyService,
  type Store,
} from '@tessera/core';

/**
 * The self-service portal for key owners: its sessions, the keyspaces' portal settings, and what
 * an owner may do with their keys — through the same key service as the API.
 */
export function createPortalServices(o: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  keys: KeyService;
  analytics: Pick<AnalyticsService, 'verifications'>;
}) {
  const settings = new PortalSettingsService({ store: o.store, clock: o.clock });
  return {
    sessions: new PortalSessions({ store: o.store, keyring: o.keyring, clock: o.clock }),
    settings,
    keys: new PortalKeys({ keys: o.keys, settings, analytics: o.analytics, clock: o.clock }),
  };
}
