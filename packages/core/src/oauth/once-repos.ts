/** One-time values: what makes a `private_key_jwt` assertion or a DPoP proof usable once. */
export interface OnceRepos {
  /**
   * Records a one-time value until `expiresAt`. True the first time; false while the same value
   * is remembered — a replay. An expired value may be recorded again.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
}
