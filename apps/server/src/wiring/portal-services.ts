import {
  every,
  PortalKeys,
  PortalSessions,
  PortalSettingsService,
  type AnalyticsService,
  type Clock,
  type Keyring,
  type KeyService,
  type Store,
  type Ticker,
} from '@tessera/core';

/**
 * The self-service portal for key owners: its sessions, the keyspaces' portal settings, and what
 * an owner may do with their keys — through the same key service as the API. Its upkeep drops
 * ended sessions at the start and every hour, whether or not new ones are made.
 */
export function createPortalServices(o: {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  keys: KeyService;
  analytics: Pick<AnalyticsService, 'verifications'>;
  onError?: (err: unknown) => void;
}) {
  const settings = new PortalSettingsService({ store: o.store, clock: o.clock });
  const sessions = new PortalSessions({ store: o.store, keyring: o.keyring, clock: o.clock });
  let ticker: Ticker | undefined;
  return {
    sessions,
    upkeep: {
      start(): void {
        ticker ??= every(3_600_000, () => sessions.purgeEnded(), o.onError, { now: true });
      },
      async stop(): Promise<void> {
        await ticker?.stop();
        ticker = undefined;
      },
    },
    settings,
    keys: new PortalKeys({ keys: o.keys, settings, analytics: o.analytics, clock: o.clock }),
  };
}
