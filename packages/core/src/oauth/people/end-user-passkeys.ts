import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import { TesseraError } from '../../errors.js';
import { newId } from '../../ids.js';
import {
  CHALLENGE_MS,
  creationOptions,
  freshChallenge,
  requestOptions,
  verifyAssertion,
  verifyRegistration,
  type PasskeyChallenge,
  type PasskeyCredential,
  type PasskeyRecord,
  type RelyingParty,
} from '../../webauthn/passkey-ceremony.js';
import type { OAuthStore } from '../oauth-store.js';
import type { EndUserRecord } from './end-user-records.js';
import type { EndUserSessions } from './end-user-sessions.js';
import type { EndUserSignIn } from './end-user-sign-in.js';
import type { SignedInUser } from './signed-in-user.js';

/**
 * What a passkey adds to `amr` (RFC 8176 §2): `swk`, proof of possession of a key, and `user`, the
 * authenticator's user-presence test (its UP flag, which every assertion must carry). Not `hwk`:
 * registration asks for no attestation, so whether the key lives in hardware is not known, and
 * synced passkeys do not.
 */
export const PASSKEY_AMR = ['swk', 'user'];

/** What the second-factor page offers a user: their TOTP code, and their passkeys (the options of a `navigator.credentials.get`). */
export interface SecondFactorOffer {
  totp: boolean;
  passkey: PublicKeyCredentialRequestOptionsJSON | null;
}

export interface EndUserPasskeysDeps {
  store: OAuthStore;
  clock: Clock;
  sessions: EndUserSessions;
  signIns: EndUserSignIn;
}

const actorOf = (user: EndUserRecord, ip: string) => ({ id: `end_user:${user.id}`, workspaceId: user.workspaceId, ip });

/**
 * An end user's passkeys (WebAuthn) as a second factor after the password, beside or in place of a
 * TOTP code: registered, named and removed on the account page, used on the second-factor page.
 * The ceremonies are the console's ({@link creationOptions} and the rest); each challenge is held
 * on the user and taken once. The relying party is the issuer's host.
 */
export class EndUserPasskeys {
  constructor(private readonly deps: EndUserPasskeysDeps) {}

  list(user: EndUserRecord): Promise<PasskeyRecord[]> {
    return this.deps.store.endUserPasskeys.list(user.id);
  }

  /** Step one of a registration: options for `navigator.credentials.create`, the challenge held on the user. */
  async registrationOptions(signed: SignedInUser, rp: RelyingParty, rpName: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { user } = signed;
    const existing = await this.list(user);
    // Sign-in names the user's credentials, so they need not be discoverable.
    const options = await creationOptions(rp, { rpName, ...user, existing, residentKey: 'preferred' });
    await this.hold(user, 'register', options.challenge);
    return options;
  }

  /**
   * Step two: the new credential, verified and kept under `name`, and the session's new cookie
   * value, which counts the passkey as this sign-in's second factor (as a TOTP enrolment's code
   * counts); undefined when it does not verify.
   */
  async register(
    signed: SignedInUser,
    rp: RelyingParty,
    attestation: PasskeyCredential,
    name: string,
    ip: string,
  ): Promise<{ passkey: PasskeyRecord; cookie: string } | undefined> {
    const { user, session } = signed;
    const challenge = await this.take(user, 'register');
    const credential = challenge === undefined ? undefined : await verifyRegistration(rp, challenge, attestation);
    if (credential === undefined) return undefined;
    const now = this.deps.clock.now();
    const passkey: PasskeyRecord = { id: newId('passkey', now), userId: user.id, ...credential, name, createdAt: now, lastUsedAt: null };
    await this.deps.store.transaction(async (tx) => {
      if ((await tx.endUserPasskeys.findByCredentialId(passkey.credentialId)) !== undefined)
        throw new TesseraError('CONFLICT', 'This passkey is registered already.');
      await tx.endUserPasskeys.insert(passkey);
      await appendAudit(tx, this.deps.clock, actorOf(user, ip), {
        action: 'end_user.passkey_registered',
        target: user.id,
        details: { passkeyId: passkey.id, name },
      });
    });
    const amr = [...new Set([...session.amr, ...PASSKEY_AMR])];
    return { passkey, cookie: this.deps.sessions.seal({ ...session, amr }) };
  }

  async remove(signed: SignedInUser, id: string, ip: string): Promise<void> {
    const { user } = signed;
    await this.deps.store.transaction(async (tx) => {
      const gone = (await tx.endUserPasskeys.list(user.id)).find((p) => p.id === id);
      if (gone === undefined || !(await tx.endUserPasskeys.delete(user.id, id))) throw new TesseraError('NOT_FOUND', 'No such passkey.');
      await appendAudit(tx, this.deps.clock, actorOf(user, ip), {
        action: 'end_user.passkey_removed',
        target: user.id,
        details: { passkeyId: id, name: gone.name },
      });
    });
  }

  /**
   * The second-factor page's offer: the TOTP code if enrolled, and a passkey challenge naming the
   * user's credentials if they have any (the password was right: the list tells nothing new).
   */
  async offer(user: EndUserRecord, rp: RelyingParty): Promise<SecondFactorOffer> {
    const passkeys = await this.list(user);
    if (passkeys.length === 0) return { totp: user.totpSecret !== null, passkey: null };
    const options = await requestOptions(rp, passkeys);
    await this.hold(user, 'login', options.challenge);
    return { totp: user.totpSecret !== null, passkey: options };
  }

  /**
   * An assertion for a session that waits for its second factor: the passkey used, its use
   * recorded, or why not. A failure counts against the address like a wrong code, and is audited.
   */
  async verify(
    signed: SignedInUser,
    rp: RelyingParty,
    assertion: PasskeyCredential,
    ip: string,
    clientId: string | null,
  ): Promise<{ ok: true; passkey: PasskeyRecord } | { ok: false; throttled: boolean }> {
    const { user } = signed;
    const { store, signIns, clock } = this.deps;
    if (signIns.throttled(ip)) return { ok: false, throttled: true };
    const challenge = await this.take(user, 'login');
    const passkey = challenge === undefined ? undefined : await store.endUserPasskeys.findByCredentialId(String(assertion.id));
    const result =
      challenge === undefined || passkey === undefined || passkey.userId !== user.id
        ? undefined
        : await verifyAssertion(rp, challenge, assertion, passkey);
    if (
      result === undefined ||
      passkey === undefined ||
      !(await store.endUserPasskeys.recordUse(passkey.id, passkey.counter, result.newCounter, clock.now()))
    ) {
      await signIns.failed(actorOf(user, ip), { target: user.id, clientId, reason: 'passkey' });
      return { ok: false, throttled: false };
    }
    return { ok: true, passkey };
  }

  private async hold(user: EndUserRecord, purpose: PasskeyChallenge['purpose'], challenge: string): Promise<void> {
    await this.deps.store.endUserPasskeys.setChallenge(user.id, { purpose, challenge, expiresAt: this.deps.clock.now() + CHALLENGE_MS });
  }

  /** The user's challenge for `purpose`, if still fresh; taken either way. */
  private async take(user: EndUserRecord, purpose: PasskeyChallenge['purpose']): Promise<string | undefined> {
    return freshChallenge(await this.deps.store.endUserPasskeys.takeChallenge(user.id), purpose, this.deps.clock.now());
  }
}
