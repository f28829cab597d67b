import type { FormEvent } from 'react';
import { api, can } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import type { PageProps } from '../page-props.js';
import { KeyringStatusView, SigningKeys } from './custody-section.js';
import { ConsoleUsers } from './console-users-section.js';
import { PasskeysSection } from './passkeys-section.js';
import { WebhooksSection } from './webhooks-section.js';

export function SettingsPage({ session, notify }: PageProps) {
  const me = session.user;
  const keyring = session.capabilities.keyring === true && can(session, 'root_keys:manage');
  const signing = session.capabilities.oauthClients === true && can(session, 'oauth:manage');
  const changePassword = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    api('POST', '/console/api/me/password', { current: v.current, next: v.next }, { quiet401: true }).then(
      () => {
        form.reset();
        notify('Your password is changed.');
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };
  return (
    <>
      <h1>Settings</h1>
      <section aria-labelledby="acct-title" className="card">
        <h2 id="acct-title">Your account</h2>
        <dl className="attrs">
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Role</dt>
          <dd>{me.role}</dd>
          <dt>Two-factor sign-in</dt>
          <dd>{me.totpEnrolled ? 'On (authenticator app)' : 'Off'}</dd>
          <dt>Recovery codes left</dt>
          <dd>{me.recoveryCodesLeft}</dd>
          <dt>Session</dt>
          <dd>{`ends after ${Math.round(session.idleTimeoutSeconds / 60)} idle minutes, at the latest ${when(session.expiresAt)}`}</dd>
        </dl>
        <form className="inline-form" aria-labelledby="pw-title" onSubmit={changePassword}>
          <h2 id="pw-title">Change your password</h2>
          <Field label="Current password">
            <input name="current" type="password" autoComplete="current-password" required />
          </Field>
          <Field label="New password" hint="At least 12 characters.">
            <input name="next" type="password" autoComplete="new-password" required minLength={12} />
          </Field>
          <button type="submit">Change password</button>
        </form>
      </section>
      <section aria-labelledby="passkeys-title" className="card" id="passkeys">
        <h2 id="passkeys-title">Passkeys</h2>
        <PasskeysSection notify={notify} />
      </section>
      {can(session, 'users:manage') && (
        <section aria-labelledby="users-title" className="card">
          <h2 id="users-title">Console users</h2>
          <ConsoleUsers session={session} notify={notify} />
        </section>
      )}
      {(keyring || signing) && (
        <section aria-labelledby="keyring-title" className="card" id="keyring-status">
          <h2 id="keyring-title">{keyring && signing ? 'Keyring and signing keys' : keyring ? 'Keyring' : 'Token signing keys'}</h2>
          {keyring && <KeyringStatusView />}
          {signing && <SigningKeys titled={keyring} />}
        </section>
      )}
      {session.capabilities.webhooks === true && can(session, 'webhooks:manage') && (
        <section aria-labelledby="webhooks-title" className="card" id="webhooks">
          <h2 id="webhooks-title">Webhooks</h2>
          <WebhooksSection notify={notify} />
        </section>
      )}
    </>
  );
}
