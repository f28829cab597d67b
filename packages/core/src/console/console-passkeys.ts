import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Clock } from '../clock.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import {
  CHALLENGE_MS,
  creationOptions,
  freshChallenge,
  requestOptions,
  verifyAssertion,
  verifyRegistration,
  type PasskeyCredential,
  type RelyingParty,
} from '../webauthn/passkey-ceremony.js';
import type { ConsolePasskeyRecord } from './console-records.js';
import type { Signed } from './console-sessions.js';
import type { ConsoleSignIn, HalfSession } from './console-sign-in.js';

export type { PasskeyCredential, RelyingParty };

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
    // A discoverable credential: sign-in names none (see loginOptions).
    const { user } = signed;
    const options = await creationOptions(rp, { rpName: 'Tessera', ...user, existing, residentKey: 'required' });
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
    const credential = await verifyRegistration(rp, challenge, attestation);
    if (credential === undefined) return undefined;
    const now = this.deps.clock.now();
    const passkey: ConsolePasskeyRecord = {
      id: newId('passkey', now),
      userId: signed.user.id,
      ...credential,
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
    const options = await requestOptions(rp, []);
    if (half !== 'decoy') await this.hold(half, 'login', options.challenge);
    return options;
  }

  /**
   * Sign-in, after the password: verifies an assertion against the session's challenge, the
   * user's own credential and its signature counter. Returns the full session's new token, or
   * undefined (counted as a failed sign-in) when anything is off.
   */
  async login(half: HalfSession, rp: RelyingParty, assertion: PasskeyCredential, ip: string): Promise<string | undefined> {
    if (half === 'decoy') {
      await this.deps.signIn.decoyFailed(ip);
      return undefined;
    }
    const challenge = await this.take(half, 'login');
    const passkey = challenge === undefined ? undefined : await this.deps.store.console.findPasskeyByCredentialId(assertion.id);
    if (challenge === undefined || passkey === undefined || passkey.userId !== half.user.id) {
      await this.deps.signIn.passkeyFailed(half.user, ip);
      return undefined;
    }
    const result = await verifyAssertion(rp, challenge, assertion, passkey);
    const now = this.deps.clock.now();
    if (result === undefined || !(await this.deps.store.console.recordPasskeyUse(passkey.id, passkey.counter, result.newCounter, now))) {
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
    return freshChallenge(await this.deps.store.console.takeChallenge(signed.session.idHash), purpose, this.deps.clock.now());
  }
}
