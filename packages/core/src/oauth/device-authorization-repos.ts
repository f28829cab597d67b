import type { DeviceAuthorizationRecord } from './people/end-user-records.js';

/** Where device authorization requests (RFC 8628) are kept, by the keyed hashes of their codes. */
export interface DeviceAuthorizationRepos {
  /** False when the user code's hash is taken already (a collision: the caller draws another code). */
  insertDeviceAuthorization(d: DeviceAuthorizationRecord): Promise<boolean>;
  findDeviceAuthorization(deviceCodeHash: string): Promise<DeviceAuthorizationRecord | undefined>;
  findDeviceAuthorizationByUserCode(userCodeHash: string): Promise<DeviceAuthorizationRecord | undefined>;
  /**
   * Records a poll (compare-and-set on the previous poll's time, so of two polls racing one wins)
   * with the interval from now on; true when this call recorded it.
   */
  recordDevicePoll(deviceCodeHash: string, previous: number | null, at: number, interval: number): Promise<boolean>;
  /** Approves or denies a pending, unexpired request (compare-and-set); true when this call decided it. */
  decideDeviceAuthorization(
    deviceCodeHash: string,
    decision: { status: 'approved' | 'denied'; userId: string; authTime: number; amr: string[]; at: number },
  ): Promise<boolean>;
  /** Spends an approved request (compare-and-set); true when this call spent it. */
  spendDeviceAuthorization(deviceCodeHash: string): Promise<boolean>;
}
