import type { DeviceAuthorizationRecord, DeviceAuthorizationRepos } from '@tessera/core';
import { deleteExpired } from '../rows.js';
import { deviceAuthorizationTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';
import { OAuthHandle } from './oauth-handle.js';

/** Device authorizations are kept a day past their end, so a late poll still reads `expired_token`. */
const KEEP_EXPIRED_MS = 86_400_000;

/** Device authorization requests (RFC 8628) over Kysely, each state change a compare-and-set. */
export class KyselyDeviceAuthorizationRepos extends OAuthHandle implements DeviceAuthorizationRepos {
  async insertDeviceAuthorization(d: DeviceAuthorizationRecord): Promise<boolean> {
    const r = await this.q
      .insertInto('oauth_device_authorizations')
      .values(deviceAuthorizationTable.toRow(d) as OAuthDatabase['oauth_device_authorizations'])
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  findDeviceAuthorization(deviceCodeHash: string): Promise<DeviceAuthorizationRecord | undefined> {
    return deviceAuthorizationTable.findBy(this.q, 'device_code_hash', deviceCodeHash);
  }

  findDeviceAuthorizationByUserCode(userCodeHash: string): Promise<DeviceAuthorizationRecord | undefined> {
    return deviceAuthorizationTable.findBy(this.q, 'user_code_hash', userCodeHash);
  }

  async recordDevicePoll(deviceCodeHash: string, previous: number | null, at: number, interval: number): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_device_authorizations')
      .set({ last_polled_at: at, interval })
      .where('device_code_hash', '=', deviceCodeHash)
      .where('last_polled_at', previous === null ? 'is' : '=', previous)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async decideDeviceAuthorization(
    deviceCodeHash: string,
    d: { status: 'approved' | 'denied'; userId: string; authTime: number; amr: string[]; at: number },
  ): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_device_authorizations')
      .set({ status: d.status, user_id: d.userId, auth_time: d.authTime, amr: JSON.stringify(d.amr), decided_at: d.at })
      .where('device_code_hash', '=', deviceCodeHash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', d.at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async spendDeviceAuthorization(deviceCodeHash: string): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_device_authorizations')
      .set({ status: 'spent' })
      .where('device_code_hash', '=', deviceCodeHash)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  purgeDeviceAuthorizations(now: number): Promise<void> {
    return deleteExpired(this.q, 'oauth_device_authorizations', now - KEEP_EXPIRED_MS);
  }
}
