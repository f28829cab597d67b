import type { GrantedApp, PasskeyRecord } from '@tessera/core';
import { escape, layout } from './hosted-pages.js';
import { passkeyControls, passkeyOptionsBlock } from './passkey-script.js';

/** The account page and its second-factor enrolment page; every form posts under `/oauth/account`. */

/** The account page's additions to the hosted pages' style sheet. */
const ACCOUNT_STYLE = `h2{font-size:1.05rem;margin:1.6rem 0 .3rem}code,a{word-break:break-all}ul.apps li{margin:.6rem 0}
ul.apps form,ul.passkeys form{display:inline}ul.apps button,ul.passkeys button{margin:0 0 0 .5rem;padding:.2rem .8rem}
ul.passkeys li{margin:.6rem 0}ul.passkeys span{color:#555}`;

const csrfField = (csrf: string) => `<input type="hidden" name="csrf" value="${escape(csrf)}">`;

export type AccountNotice = 'code' | 'revoked' | 'enrolled' | 'removed' | 'passkey_added' | 'passkey_removed' | undefined;

const NOTICES: Record<Exclude<AccountNotice, undefined>, string> = {
  code: '<p class="error" role="alert">That code is not right, or it was used already.</p>',
  revoked: '<p role="status">The app can no longer act for you.</p>',
  enrolled: '<p role="status">Your sign-in now asks for a code from your authenticator app.</p>',
  removed: '<p role="status">Your sign-in no longer asks for a code.</p>',
  passkey_added: '<p role="status">Your passkey is added: your sign-in now asks for it after your password.</p>',
  passkey_removed: '<p role="status">The passkey is removed.</p>',
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function passkeyItem(p: PasskeyRecord, csrf: string): string {
  const used = p.lastUsedAt === null ? 'never used' : `last used ${day(p.lastUsedAt)}`;
  return `<li><strong>${escape(p.name)}</strong> <span>added ${day(p.createdAt)}, ${used}</span>
<form method="post" action="/oauth/account/passkeys/remove">${csrfField(csrf)}<input type="hidden" name="id" value="${escape(p.id)}">
<button type="submit" class="secondary" aria-label="Remove the passkey ${escape(p.name)}">Remove</button></form></li>`;
}

/** The account page's passkeys: each with its remove button, and the form that starts adding one. */
function passkeySection(passkeys: PasskeyRecord[], csrf: string): string {
  const list =
    passkeys.length === 0
      ? '<p>You have no passkeys. A passkey on your phone, computer or security key can be your second factor.</p>'
      : `<ul class="passkeys">${passkeys.map((p) => passkeyItem(p, csrf)).join('')}</ul>`;
  return `<h2>Passkeys</h2>${list}
<form method="post" action="/oauth/account/passkeys">${csrfField(csrf)}
<label for="passkey_name">Passkey name</label><input id="passkey_name" name="name" maxlength="100" required placeholder="Laptop">
<button type="submit">Add a passkey</button></form>`;
}

function appItem(app: GrantedApp, csrf: string): string {
  const name = app.clientName ?? 'A deleted app';
  const scopes = app.scope.length === 0 ? '' : ` <span>(${escape(app.scope.join(', '))})</span>`;
  return `<li><strong>${escape(name)}</strong>${scopes}
<form method="post" action="/oauth/account/apps/revoke">${csrfField(csrf)}<input type="hidden" name="client_id" value="${escape(app.clientId)}">
<button type="submit" class="secondary" aria-label="Revoke ${escape(name)}">Revoke</button></form></li>`;
}

export function accountPage(o: {
  email: string;
  apps: GrantedApp[];
  totpEnrolled: boolean;
  passkeys: PasskeyRecord[];
  csrf: string;
  notice?: AccountNotice;
}): string {
  const apps =
    o.apps.length === 0
      ? '<p>You have not allowed any app to act for you.</p>'
      : `<ul class="apps">${o.apps.map((a) => appItem(a, o.csrf)).join('')}</ul>`;
  const secondFactor = o.totpEnrolled
    ? `<p>Your sign-in asks for a code from your authenticator app.</p>
<form method="post" action="/oauth/account/totp/remove">${csrfField(o.csrf)}
<label for="remove_code">Code</label><input id="remove_code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
<button type="submit" class="secondary">Remove the second factor</button></form>`
    : `<p>${o.passkeys.length === 0 ? 'Your sign-in asks only for your password.' : 'Your sign-in asks for a passkey after your password.'} Add a code from an authenticator app as a second factor.</p>
<form method="post" action="/oauth/account/totp">${csrfField(o.csrf)}<button type="submit">Set up an authenticator app</button></form>`;
  return layout(
    'Your account',
    `<h1>Your account</h1>${NOTICES[o.notice as keyof typeof NOTICES] ?? ''}<p>Signed in as ${escape(o.email)}.</p>
<h2>Apps you allowed</h2>${apps}
<h2>Second factor</h2>${secondFactor}
${passkeySection(o.passkeys, o.csrf)}
<h2>Sign out</h2><form method="post" action="/oauth/account/sign-out">${csrfField(o.csrf)}<button type="submit">Sign out</button></form>`,
    [ACCOUNT_STYLE],
  );
}

/** Enrolment: the secret as text and as an `otpauth://` URI (no QR code: no script, no image), then a code to confirm. */
export function totpEnrolmentPage(o: { secret: string; uri: string; csrf: string; failed?: boolean }): string {
  const grouped = o.secret.replace(/(.{4})/g, '$1 ').trim();
  return layout(
    'Set up an authenticator app',
    `<h1>Set up an authenticator app</h1>${o.failed ? NOTICES.code : ''}
<p>In your authenticator app, add an account with this key (time-based, six digits):</p>
<p><code id="totp_secret">${escape(grouped)}</code></p>
<p>Or open this address on the device that has the app: <a href="${escape(o.uri)}">${escape(o.uri)}</a></p>
<form method="post" action="/oauth/account/totp/confirm">${csrfField(o.csrf)}
<label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
<button type="submit">Confirm</button></form>`,
    [ACCOUNT_STYLE],
  );
}

/** Adding a passkey: the browser makes it when the button is pressed (the page's one script), then the form posts it. */
export function passkeyRegistrationPage(o: { name: string; options: object; csrf: string; failed?: boolean }): string {
  return layout(
    'Add a passkey',
    `<h1>Add a passkey</h1>${o.failed ? '<p class="error" role="alert">That passkey could not be added. Try again.</p>' : ''}
<p>Your browser will ask where to keep the passkey “${escape(o.name)}”: this device, your phone, or a security key.</p>
<form method="post" action="/oauth/account/passkeys/confirm">${csrfField(o.csrf)}<input type="hidden" name="name" value="${escape(o.name)}">
${passkeyControls('Create the passkey')}</form>${passkeyOptionsBlock({ ceremony: 'create', options: o.options })}
<p><a href="/oauth/account">Back to your account</a></p>`,
    [ACCOUNT_STYLE],
  );
}
