import type { KeyService } from '../api-keys/key-service.js';
import { TesseraError } from '../errors.js';
import type { KeyRecord } from '../store/records.js';
import type { AnalyticsService } from '../usage/analytics-service.js';
import type { PortalSettingsService } from './portal-settings-service.js';
import { portalActor, type PortalSession } from './portal-sessions.js';
import type { PortalSettings } from './portal-settings.js';

/** How long an owner's rolled key keeps working beside its successor. */
export const PORTAL_ROLL_GRACE_SECONDS = 86_400;
/** The most keys the portal lists. */
const LIST_LIMIT = 200;
const DAY_MS = 86_400_000;

/** One key as the portal shows it to its owner, with its verifications per day. */
export interface PortalKey {
  record: KeyRecord;
  /** Verifications over the last days, oldest day first. */
  usage: { time: number; total: number; valid: number }[];
}

export interface PortalKeysDeps {
  keys: KeyService;
  settings: PortalSettingsService;
  analytics: Pick<AnalyticsService, 'verifications'>;
  clock: { now(): number };
}

/**
 * What a key owner may do in the portal, within the limits the keyspace sets: list, create, roll
 * and revoke their own keys of the session's keyspace. Every change goes through the key service
 * (its audit entries name the owner as actor, its invalidations reach every node); a key of
 * another owner or keyspace is `NOT_FOUND`, as if it did not exist.
 */
export class PortalKeys {
  constructor(private readonly deps: PortalKeysDeps) {}

  settings(session: PortalSession): Promise<PortalSettings> {
    return this.deps.settings.current(session.keyspaceId);
  }

  /** The owner's keys in the session's keyspace, newest first, with their usage over `days`. */
  async list(session: PortalSession, days = 7): Promise<PortalKey[]> {
    const actor = portalActor(session, null);
    const records = await this.deps.keys.listKeys(actor, { keyspaceId: session.keyspaceId, ownerId: session.ownerId, limit: LIST_LIMIT });
    const to = this.deps.clock.now();
    const from = Math.floor(to / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
    const keys = records.filter((k) => k.ownerId === session.ownerId && k.keyspaceId === session.keyspaceId).reverse();
    return Promise.all(
      keys.map(async (record) => {
        const r = await this.deps.analytics.verifications(actor, { keyId: record.id, from, to, granularity: 'day' });
        return { record, usage: r.series.map((p) => ({ time: p.time, total: p.total, valid: p.valid })) };
      }),
    );
  }

  /** A new key for the owner, shown once; refused past the keyspace's limits. */
  async create(
    session: PortalSession,
    input: { name: string; scopes: string[]; lifetimeSeconds: number },
    ip: string | null,
  ): Promise<{ record: KeyRecord; key: string }> {
    const settings = await this.settings(session);
    const name = input.name.trim();
    if (name === '' || name.length > 200) throw new TesseraError('VALIDATION_FAILED', 'Give the key a name of 1 to 200 characters.');
    const refused = input.scopes.filter((s) => !settings.allowedScopes.includes(s));
    if (refused.length > 0)
      throw new TesseraError('VALIDATION_FAILED', `These scopes are not offered: ${refused.join(', ').slice(0, 200)}.`);
    if (!Number.isInteger(input.lifetimeSeconds) || input.lifetimeSeconds < 1 || input.lifetimeSeconds > settings.maxLifetimeSeconds)
      throw new TesseraError(
        'KEY_LIFETIME_EXCEEDED',
        `A key may live at most ${Math.floor(settings.maxLifetimeSeconds / 86_400)} days here.`,
      );
    const actor = portalActor(session, ip);
    const live = await this.deps.keys.listKeys(actor, {
      keyspaceId: session.keyspaceId,
      ownerId: session.ownerId,
      state: 'active',
      limit: settings.maxKeysPerOwner + 1,
    });
    const disabled = await this.deps.keys.listKeys(actor, {
      keyspaceId: session.keyspaceId,
      ownerId: session.ownerId,
      state: 'disabled',
      limit: settings.maxKeysPerOwner + 1,
    });
    if (live.length + disabled.length >= settings.maxKeysPerOwner)
      throw new TesseraError('CONFLICT', `You have ${settings.maxKeysPerOwner} keys, the most allowed. Revoke one to create another.`);
    return this.deps.keys.createKey(actor, {
      keyspaceId: session.keyspaceId,
      ownerId: session.ownerId,
      name,
      scopes: input.scopes,
      expiresAt: this.deps.clock.now() + input.lifetimeSeconds * 1000,
    });
  }

  /** Rolls one of the owner's keys: the new key now, the old one for {@link PORTAL_ROLL_GRACE_SECONDS} more. */
  async roll(session: PortalSession, keyId: string, ip: string | null): Promise<{ record: KeyRecord; key: string }> {
    const actor = portalActor(session, ip);
    await this.owned(session, keyId);
    return this.deps.keys.rollKey(actor, keyId, PORTAL_ROLL_GRACE_SECONDS);
  }

  async revoke(session: PortalSession, keyId: string, ip: string | null): Promise<KeyRecord> {
    const actor = portalActor(session, ip);
    await this.owned(session, keyId);
    return this.deps.keys.revokeKey(actor, keyId, 'revoked by its owner in the portal');
  }

  /** The key, when it is the session owner's in the session's keyspace; else `NOT_FOUND`. */
  private async owned(session: PortalSession, keyId: string): Promise<KeyRecord> {
    const key = await this.deps.keys.getKey(portalActor(session, null), keyId);
    if (key.keyspaceId !== session.keyspaceId || key.ownerId !== session.ownerId) throw new TesseraError('NOT_FOUND', 'No such key.');
    return key;
  }
}
