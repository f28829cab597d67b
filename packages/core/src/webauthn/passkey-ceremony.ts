import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type * as WebAuthn from '@simplewebauthn/server';
import { TesseraError } from '../errors.js';

/**
 * The WebAuthn ceremonies (registration and assertion) both kinds of account use: the console's
 * users and a workspace's end users. Who holds the challenge, where the credentials are kept and
 * what is audited is each account's own; the options and the checks are here, once.
 */

/** Whom passkeys are bound to: an origin, and its host name as the relying-party ID. */
export interface RelyingParty {
  origin: string;
  id: string;
}

/** The relying party of a URL (the console's origin, an issuer): its origin and host name. */
export function relyingPartyOf(url: string): RelyingParty {
  const u = new URL(url);
  return { origin: u.origin, id: u.hostname };
}

/**
 * A credential as the browser sends it (`@simplewebauthn/browser`'s JSON): an attestation when a
 * passkey is registered, an assertion at sign-in. The library checks what `response` holds.
 */
export interface PasskeyCredential {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string };
  clientExtensionResults: object;
  authenticatorAttachment?: string | undefined;
}

/** A registered passkey: its credential's public key, kept per account. */
export interface PasskeyRecord {
  id: string;
  userId: string;
  /** The credential id, base64url, as the authenticator names it; unique. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter at the last use (0 for authenticators that keep none). */
  counter: number;
  /** Transports the browser reported (`internal`, `usb`, `hybrid`, …), as hints for the next sign-in. */
  transports: string[];
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** The one WebAuthn challenge an account (or its session) may answer, until it is used. */
export interface PasskeyChallenge {
  purpose: 'register' | 'login';
  challenge: string;
  expiresAt: number;
}

/**
 * The WebAuthn library, loaded by the first ceremony: it takes longer to load than the rest of
 * core, and every command of the CLI loads core.
 */
let library: Promise<typeof WebAuthn> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** A challenge is answered within this long, once. */
export const CHALLENGE_MS = 5 * 60_000;
/** A challenge taken back from the store, if it is for `purpose` and still fresh at `now` (it is spent either way). */
export function freshChallenge(held: PasskeyChallenge | undefined, purpose: PasskeyChallenge['purpose'], now: number): string | undefined {
  return held === undefined || held.purpose !== purpose || held.expiresAt <= now ? undefined : held.challenge;
}

/** Enough for a person's keys and devices; a bound on what one sign-in lists. */
export const MAX_PASSKEYS = 20;

/** What a new credential is registered for: the account, and the passkeys it has (not registered twice). */
export interface Registrant {
  rpName: string;
  id: string;
  email: string;
  name: string | null;
  existing: PasskeyRecord[];
  /** `required` when sign-in names no credential (the console), else `preferred`. */
  residentKey: 'required' | 'preferred';
}

/**
 * Options for `navigator.credentials.create`: no attestation, presence enough, a PIN or biometric
 * welcome. A conflict when the account has {@link MAX_PASSKEYS} already.
 */
export async function creationOptions(rp: RelyingParty, who: Registrant): Promise<PublicKeyCredentialCreationOptionsJSON> {
  if (who.existing.length >= MAX_PASSKEYS) throw new TesseraError('CONFLICT', `You have ${MAX_PASSKEYS} passkeys; remove one first.`);
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: who.rpName,
    rpID: rp.id,
    userName: who.email,
    userDisplayName: who.name ?? who.email,
    userID: new TextEncoder().encode(who.id),
    attestationType: 'none',
    excludeCredentials: who.existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: who.residentKey, userVerification: 'preferred' },
    timeout: CHALLENGE_MS,
  });
}

/** The new credential, verified against the challenge and the relying party; undefined when it does not verify. */
export async function verifyRegistration(
  rp: RelyingParty,
  challenge: string,
  attestation: PasskeyCredential,
): Promise<Pick<PasskeyRecord, 'credentialId' | 'publicKey' | 'counter' | 'transports'> | undefined> {
  const { verifyRegistrationResponse } = await webauthn();
  const result = await verifyRegistrationResponse({
    response: attestation as unknown as RegistrationResponseJSON,
    ...expected(rp, challenge),
  }).catch(() => undefined);
  if (result === undefined || !result.verified) return undefined;
  const { credential } = result.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: (credential.transports ?? []).slice(0, 8),
  };
}

/** Options for `navigator.credentials.get`, naming `allowed` (none: the authenticator offers its discoverable ones). */
export async function requestOptions(rp: RelyingParty, allowed: PasskeyRecord[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: allowed.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification: 'preferred',
    timeout: CHALLENGE_MS,
  });
}

/**
 * An assertion verified against the challenge, the relying party and the passkey's public key:
 * the authenticator's new counter, or undefined. The library refuses a counter that did not grow
 * (a cloned authenticator), and an assertion without the user-presence flag.
 */
export async function verifyAssertion(
  rp: RelyingParty,
  challenge: string,
  assertion: PasskeyCredential,
  passkey: PasskeyRecord,
): Promise<{ newCounter: number } | undefined> {
  const { verifyAuthenticationResponse } = await webauthn();
  const result = await verifyAuthenticationResponse({
    response: assertion as unknown as AuthenticationResponseJSON,
    ...expected(rp, challenge),
    credential: {
      id: passkey.credentialId,
      publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
      counter: passkey.counter,
      transports: passkey.transports,
    },
  }).catch(() => undefined);
  if (result === undefined || !result.verified) return undefined;
  return { newCounter: result.authenticationInfo.newCounter };
}

/**
 * What both ceremonies check a response against: the challenge held, the relying party's origin
 * and ID. User verification is asked for (`preferred`) but not required.
 */
function expected(rp: RelyingParty, challenge: string) {
  return { expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false } as const;
}
