import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type * as WebAuthn from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import type { ConsolePasskeyRecord } from './console-records.js';
import type { Signed } from './console-sessions.js';
import type { ConsoleSignIn, HalfSession } from './console-sign-in.js';

/** Whom passkeys are bound to: the console's origin, and its host name as the relying-party ID. */
export interface RelyingParty {
  origin: string;
  id: string;
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

/**
 * The WebAuthn library, loaded by the first ceremony: it takes longer to load than the rest of
 * core, and every command of the CLI loads core.
 */
let library: Promise<typeof WebAuthn> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** A challenge is answered within this long, once. */
export const CHALLENGE_MS = 5 * 60_000;
/** Enough for a person's keys and devices; a bound on what one sign-in lists. */
export const MAX_PASSKEYS = 20;

/**
 * WebAuthn passkeys as a console second factor, in place of a TOTP code at sign-in. Each
 * ceremony's challenge is held on the session that asked for it and taken once (registration
 * by a signed-in session, sign-in by the half-open one the password opened).
 */
export class ConsolePasskeys {
  constructor(private readonly deps: { store: Store; clock: Clock; signIn: ConsoleSignIn }) {}

  list(userId: string): Promise<ConsolePasskeyRecord[]> {
    return this.deps.store.console.listPasskeys(userId);
  }

  async registrationOptions(signed: Signed, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.list(signed.user.id);
    if (existing.length >= MAX_PASSKEYS) throw new TesseraError('CONFLICT', `You have ${MAX_PASSKEYS} passkeys; remove one first.`);
    const { generateRegistrationOptions } = await webauthn();
    const options = await generateRegistrationOptions({
      rpName: 'Tessera',
      rpID: rp.id,
      userName: signed.user.email,
      userDisplayName: signed.user.name ?? signed.user.email,
      userID: new TextEncoder().encode(signed.user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      // A second factor after the password: presence is enough, a PIN or biometric is welcome. A
      // discoverable credential: sign-in names none (see loginOptions).
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      timeout: CHALLENGE_MS,
    });
    await this.hold(signed, 'register', options.challenge);
    return options;
  }

  /** Verifies a new credential and keeps its public key. Undefined when the response does not verify. */
  async register(
    actor: Actor,
    signed: Signed,
    rp: RelyingParty,
    attestation: PasskeyCredential,
    name: string,
  ): Promise<ConsolePasskeyRecord | undefined> {
    const challenge = await this.take(signed, 'register');
    if (challenge === undefined) return undefined;
    const { verifyRegistrationResponse } = await webauthn();
    const result = await verifyRegistrationResponse({
      response: attestation as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    }).catch(() => undefined);
    if (result === undefined || !result.verified) return undefined;
    const { credential } = result.registrationInfo;
    const now = this.deps.clock.now();
    const passkey: ConsolePasskeyRecord = {
      id: newId('passkey', now),
      userId: signed.user.id,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: (credential.transports ?? []).slice(0, 8),
      name,
      createdAt: now,
      lastUsedAt: null,
    };
    return this.deps.store.transaction(async (tx) => {
      if ((await tx.console.findPasskeyByCredentialId(passkey.credentialId)) !== undefined)
        throw new TesseraError('CONFLICT', 'This passkey is registered already.');
      await tx.console.insertPasskey(passkey);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.passkey_added',
        target: signed.user.id,
        details: { passkeyId: passkey.id, name },
      });
      return passkey;
    });
  }

  async remove(actor: Actor, signed: Signed, id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const gone = (await tx.console.listPasskeys(signed.user.id)).find((p) => p.id === id);
      if (gone === undefined || !(await tx.console.deletePasskey(signed.user.id, id)))
        throw new TesseraError('NOT_FOUND', 'No such passkey.');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.passkey_removed',
        target: signed.user.id,
        details: { passkeyId: id, name: gone.name },
      });
    });
  }

  /**
   * Sign-in, after the password: a challenge. It names no credential (the authenticator offers
   * its discoverable ones for this site), so it is the same for a real half-open session, a decoy,
   * and a user with no passkey: listing the user's credentials would say the password was right.
   */
  async loginOptions(half: HalfSession, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { generateAuthenticationOptions } = await webauthn();
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: [],
      userVerification: 'preferred',
      timeout: CHALLENGE_MS,
    });
    if (half !== 'decoy') await this.hold(half, 'login', options.challenge);
    return options;
  }

  /**
   * Sign-in, after the password: verifies an assertion against the session's challenge, the
   * user's own credential and its signature counter. Returns the full session's new token, or
   * undefined (counted as a failed sign-in) when anything is off.
   */
  async login(half: HalfSession, rp: RelyingParty, assertion: PasskeyCredential, ip: string): Promise<string | undefined> {
    const response = assertion as unknown as AuthenticationResponseJSON;
    if (half === 'decoy') {
      await this.deps.signIn.decoyFailed(ip);
      return undefined;
    }
    const challenge = await this.take(half, 'login');
    const passkey = challenge === undefined ? undefined : await this.deps.store.console.findPasskeyByCredentialId(response.id);
    if (challenge === undefined || passkey === undefined || passkey.userId !== half.user.id) {
      await this.deps.signIn.passkeyFailed(half.user, ip);
      return undefined;
    }
    // The library refuses a counter that did not grow (a cloned authenticator) by throwing.
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: false,
    }).catch(() => undefined);
    const now = this.deps.clock.now();
    if (
      result === undefined ||
      !result.verified ||
      !(await this.deps.store.console.recordPasskeyUse(passkey.id, passkey.counter, result.authenticationInfo.newCounter, now))
    ) {
      await this.deps.signIn.passkeyFailed(half.user, ip);
      return undefined;
    }
    return this.deps.signIn.passkeySignedIn(half, ip, { passkeyId: passkey.id, name: passkey.name });
  }

  private async hold(signed: Signed, purpose: 'register' | 'login', challenge: string): Promise<void> {
    await this.deps.store.console.setChallenge(signed.session.idHash, {
      purpose,
      challenge,
      expiresAt: this.deps.clock.now() + CHALLENGE_MS,
    });
  }

  /** The session's challenge for `purpose`, if it has one still fresh; taken either way. */
  private async take(signed: Signed, purpose: 'register' | 'login'): Promise<string | undefined> {
    const held = await this.deps.store.console.takeChallenge(signed.session.idHash);
    if (held === undefined || held.purpose !== purpose || held.expiresAt <= this.deps.clock.now()) return undefined;
    return held.challenge;
  }
}
