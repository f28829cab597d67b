/** The people who sign in to a workspace's apps through Tessera (migration 0021). Times are epoch ms. */

export interface EndUserRecord {
  id: string;
  workspaceId: string;
  /** Trimmed and lower-cased; unique within the workspace. */
  email: string;
  /** Whether the email is known to belong to the user (`email_verified`); set by the administrator. */
  emailVerified: boolean;
  name: string | null;
  /** argon2id PHC string. */
  passwordHash: string;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
  /** Sign-ins made before this were ended (signing out ends them all); null: never. */
  sessionsEndedAt: number | null;
  /** The enrolled TOTP secret, sealed to the user (envelope encryption); null: no second factor (migration 0030). */
  totpSecret: string | null;
  /** A secret offered for enrolment, sealed, until a code from the app confirms it. */
  totpPending: string | null;
  /** The last TOTP time step accepted: a code of that step or an earlier one is refused (RFC 6238 §5.2). */
  totpLastStep: number | null;
}

/** A user as it is made: what identifies it given, every other field at its start (no sign-in, no second factor). */
export function newEndUser(
  fields: Pick<EndUserRecord, 'id' | 'workspaceId' | 'email' | 'emailVerified' | 'name' | 'passwordHash' | 'createdAt'>,
): EndUserRecord {
  return {
    ...fields,
    disabledAt: null,
    updatedAt: fields.createdAt,
    lastSignInAt: null,
    sessionsEndedAt: null,
    totpSecret: null,
    totpPending: null,
    totpLastStep: null,
  };
}

/** The fields of an end user that change after it is made. */
export type EndUserPatch = Partial<
  Pick<
    EndUserRecord,
    | 'name'
    | 'emailVerified'
    | 'disabledAt'
    | 'updatedAt'
    | 'lastSignInAt'
    | 'sessionsEndedAt'
    | 'totpSecret'
    | 'totpPending'
    | 'totpLastStep'
  >
>;

/** What a user allowed a client: remembered per user, client and scopes. */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  workspaceId: string;
  scope: string[];
  createdAt: number;
  updatedAt: number;
}

/**
 * An authorization code (RFC 6749 §4.1.2), kept only as its keyed hash. It is bound to the client,
 * the redirect URI and the PKCE challenge; once spent it names what was issued for it, so a replay
 * revokes exactly that (RFC 6749 §4.1.2, RFC 9700 §4.5).
 */
export interface AuthorizationCodeRecord {
  hash: string;
  workspaceId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** BASE64URL(SHA-256(code_verifier)) (RFC 7636 §4.2, S256 only). */
  codeChallenge: string;
  scope: string[];
  nonce: string | null;
  /** When the user authenticated (epoch ms), for `auth_time`. */
  authTime: number;
  /** Authentication methods (RFC 8176), for `amr`. */
  amr: string[];
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** The refresh-token family issued for it, if any. */
  familyId: string | null;
  /** The `jti` of the access token issued for it, and when that token expires (epoch ms). */
  accessTokenJti: string | null;
  accessTokenExpiresAt: number | null;
}

/** Where a device authorization stands (RFC 8628 §3.5): `spent` once its tokens were issued. */
export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'spent';

/**
 * A device authorization request (RFC 8628 §3.1–§3.5), kept only as the keyed hashes of its device
 * code and user code. The user approves or denies it on the verification page; the device polls
 * the token endpoint, no faster than `interval` seconds apart, until then.
 */
export interface DeviceAuthorizationRecord {
  deviceCodeHash: string;
  /** Keyed hash of the user code, normalised (upper case, no separators). */
  userCodeHash: string;
  workspaceId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  expiresAt: number;
  /** Seconds the device must wait between polls; 5 more at each `slow_down` (RFC 8628 §3.5). */
  interval: number;
  lastPolledAt: number | null;
  status: DeviceAuthorizationStatus;
  /** Who approved or denied it, when, and how they had signed in. */
  userId: string | null;
  authTime: number | null;
  amr: string[] | null;
  decidedAt: number | null;
}

/**
 * A pushed authorization request (RFC 9126 §2), kept by the keyed hash of its `request_uri`: the
 * parameters the client pushed, checked when pushed and again when used. It yields one code.
 */
export interface PushedRequestRecord {
  hash: string;
  workspaceId: string;
  clientId: string;
  /** The authorization request's parameters, each once. */
  params: Record<string, string>;
  createdAt: number;
  expiresAt: number;
  /** When it yielded a code; it yields no other. */
  usedAt: number | null;
}
