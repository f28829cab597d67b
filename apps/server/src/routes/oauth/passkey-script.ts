import { relyingPartyOf, type PasskeyCredential, type SecondFactorAnswer } from '@tessera/core';
import { Type } from '../../http/schemas.js';

/**
 * The one script of the hosted pages: a passkey ceremony. It reads the options the page carries (a
 * JSON data block, not run), calls `navigator.credentials.create` or `.get` when the button is
 * pressed, and posts the credential, as JSON text, with the page's form (CSRF token and all). The
 * page's CSP allows it by its hash and nothing else; it holds no `<`, so it is inlined as written.
 */
export const PASSKEY_SCRIPT = `(() => {
  const start = document.getElementById('passkey-start');
  const data = document.getElementById('passkey-options');
  const failed = document.getElementById('passkey-failed');
  if (!start || !data) return;
  if (!window.PublicKeyCredential) { failed.hidden = false; start.disabled = true; return; }
  const { ceremony, options } = JSON.parse(data.textContent);
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  start.addEventListener('click', async () => {
    failed.hidden = true;
    try {
      const publicKey = { ...options, challenge: bytes(options.challenge) };
      let credential;
      if (ceremony === 'create') {
        publicKey.user = { ...options.user, id: bytes(options.user.id) };
        publicKey.excludeCredentials = ids(options.excludeCredentials);
        credential = await navigator.credentials.create({ publicKey });
      } else {
        publicKey.allowCredentials = ids(options.allowCredentials);
        credential = await navigator.credentials.get({ publicKey });
      }
      const r = credential.response;
      const response = { clientDataJSON: text(r.clientDataJSON) };
      if (r.attestationObject) {
        response.attestationObject = text(r.attestationObject);
        response.transports = r.getTransports ? r.getTransports() : [];
      } else {
        response.authenticatorData = text(r.authenticatorData);
        response.signature = text(r.signature);
        if (r.userHandle) response.userHandle = text(r.userHandle);
      }
      document.getElementById('credential').value = JSON.stringify({
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        response,
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment || undefined,
      });
      start.form.submit();
    } catch {
      failed.hidden = false;
    }
  });
})();`;

/** A ceremony's options as the page carries them: a JSON data block, with `<` escaped so no text ends it. */
export function passkeyOptionsBlock(o: { ceremony: 'create' | 'get'; options: object }): string {
  const json = JSON.stringify(o).replace(/</g, '\\u003c');
  return `<script type="application/json" id="passkey-options">${json}</script><script>${PASSKEY_SCRIPT}</script>`;
}

/**
 * The passkey part of a form: the button that starts the ceremony, the field the credential is
 * posted in, and what is said when the browser could not make one.
 */
export function passkeyControls(button: string): string {
  return `<input type="hidden" name="credential" id="credential" value="">
<button type="button" id="passkey-start">${button}</button>
<p class="error" role="alert" id="passkey-failed" hidden>Your browser did not give a passkey. Try again, or use another way.</p>
<noscript><p>Passkeys need JavaScript in this browser.</p></noscript>`;
}

/** What a page's form posted as its passkey: the credential's JSON, read as `@simplewebauthn/server` takes it. */
export function postedCredential(text: string): PasskeyCredential {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const c = parsed as Partial<PasskeyCredential> | undefined;
  const shaped =
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    c.id.length <= 1400 &&
    typeof c.rawId === 'string' &&
    c.type === 'public-key' &&
    typeof c.response === 'object' &&
    c.response !== null &&
    typeof c.response.clientDataJSON === 'string' &&
    typeof c.clientExtensionResults === 'object' &&
    c.clientExtensionResults !== null;
  // A malformed credential is one that names no passkey: refused, and counted, like a wrong one.
  return shaped
    ? (c as PasskeyCredential)
    : { id: '', rawId: '', type: 'public-key', response: { clientDataJSON: '' }, clientExtensionResults: {} };
}

/** A second-factor form's answer: the passkey when the form posted one, else the TOTP code. */
export function secondFactorAnswer(fields: Map<string, string>, issuer: string): SecondFactorAnswer {
  const credential = fields.get('credential') ?? '';
  if (credential === '') return { code: fields.get('code') ?? '' };
  return { passkey: postedCredential(credential), rp: relyingPartyOf(issuer) };
}

/** How a refused second factor is said on the page again. */
export const refusedAs = (answer: SecondFactorAnswer): 'passkey' | 'code' => ('passkey' in answer ? 'passkey' : 'code');

/** A second-factor form's fields in the OpenAPI document: a TOTP code, or a passkey's credential as JSON. */
export const SECOND_FACTOR_FIELDS = {
  code: Type.Optional(Type.String({ description: 'The TOTP code; not read when a credential is posted.' })),
  credential: Type.Optional(
    Type.String({ description: 'A passkey’s assertion (WebAuthn `PublicKeyCredential` as JSON), posted by the page’s script.' }),
  ),
};
