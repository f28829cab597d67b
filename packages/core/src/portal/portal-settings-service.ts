import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Repos } from '../store/store.js';
import { applyPortalSettings, DEFAULT_PORTAL_SETTINGS, type PortalSettings, type PortalSettingsInput } from './portal-settings.js';

/** A keyspace's portal settings, read and changed through the API, each change audited. */
export class PortalSettingsService {
  constructor(
    private readonly deps: {
      store: Pick<Repos, 'getKeyspace' | 'portal'> & { transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T> };
      clock: Clock;
    },
  ) {}

  /** The settings in force for a keyspace (the defaults until set); for the portal, which checks its session first. */
  async current(keyspaceId: string): Promise<PortalSettings> {
    return (await this.deps.store.portal.getPortalSettings(keyspaceId)) ?? { ...DEFAULT_PORTAL_SETTINGS, allowedScopes: [] };
  }

  async get(actor: Actor, keyspaceId: string): Promise<PortalSettings> {
    const ks = await this.deps.store.getKeyspace(keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    return this.current(keyspaceId);
  }

  /** Changes the fields given; the others keep their value. */
  async put(actor: Actor, keyspaceId: string, input: PortalSettingsInput): Promise<PortalSettings> {
    return this.deps.store.transaction(async (tx) => {
      const ks = await tx.getKeyspace(keyspaceId);
      if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      const before = (await tx.portal.getPortalSettings(keyspaceId)) ?? DEFAULT_PORTAL_SETTINGS;
      const next = applyPortalSettings(before, input, this.deps.clock.now());
      await tx.portal.setPortalSettings(keyspaceId, next);
      const changed = Object.keys(input).filter((k) => input[k as keyof PortalSettingsInput] !== undefined);
      await appendAudit(tx, this.deps.clock, actor, { action: 'keyspace.portal_updated', target: keyspaceId, details: { changed } });
      return next;
    });
  }
}
