import { LoadStatus } from '../load-status.js';
import type { FormEvent } from 'react';
import { api, can, type Answer, type SessionInfo } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import type { Notify, PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { KeyringStatusView, SigningKeys } from './custody-section.js';
import { PasskeysSection } from './passkeys-section.js';
import { WebhooksSection } from './webhooks-section.js';

type User = Answer<'GET /console/api/users'>['items'][number];

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
          <ConsoleUsers me={me} notify={notify} />
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

function ConsoleUsers({ me, notify }: { me: SessionInfo['user']; notify: Notify }) {
  const [result, reload] = useLoad(() => api<Answer<'GET /console/api/users'>>('GET', '/console/api/users'), []);
  if (result.state !== 'ready') return <LoadStatus result={result} failed="The console users could not load" />;

  // The list is read again either way, so that a refused change shows what the server holds.
  const patch = (u: User, body: Record<string, unknown>, message: string) =>
    api('PATCH', `/console/api/users/${u.id}`, body)
      .then(
        () => notify(message),
        (err: Error) => notify(err.message, 'error'),
      )
      .finally(reload);
  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    api('POST', '/console/api/users', { email: v.email, role: v.role, password: v.password }).then(
      () => {
        notify(`Added ${v.email}.`);
        form.reset();
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <>
      <table>
        <TableHead columns={['Email', 'Role', 'Two-factor', 'Last sign-in', 'State']} actions />
        <tbody>
          {result.data.items.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td>
              <td>
                <select
                  key={u.role}
                  aria-label={`Role of ${u.email}`}
                  disabled={u.id === me.id}
                  defaultValue={u.role}
                  onChange={(e) => void patch(u, { role: e.target.value }, `${u.email} is now ${e.target.value}.`)}
                >
                  {['owner', 'admin', 'viewer'].map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
              </td>
              <td>{u.totpEnrolled ? 'enrolled' : 'at first sign-in'}</td>
              <td>{when(u.lastLoginAt)}</td>
              <td>
                {u.disabled ? (
                  <span className="badge revoked">disabled</span>
                ) : u.locked ? (
                  <span className="badge disabled">locked</span>
                ) : (
                  <span className="badge active">active</span>
                )}
              </td>
              <td>
                {u.id !== me.id && (
                  <button
                    type="button"
                    onClick={() =>
                      void patch(
                        u,
                        { disabled: !u.disabled },
                        u.disabled ? `${u.email} is enabled.` : `${u.email} is disabled and signed out.`,
                      )
                    }
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                )}
                {u.locked && (
                  <button type="button" onClick={() => void patch(u, { unlock: true }, `${u.email} is unlocked.`)}>
                    Unlock
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" aria-labelledby="add-user" onSubmit={add}>
        <h3 id="add-user">Add a console user</h3>
        <Field label="Email">
          <input name="email" type="email" required autoComplete="off" />
        </Field>
        <Field label="Role">
          <select name="role">
            {['viewer', 'admin', 'owner'].map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Initial password" hint="Give it to them in person; they set up two-factor sign-in at their first sign-in.">
          <input name="password" type="password" required minLength={12} autoComplete="new-password" />
        </Field>
        <button type="submit">Add user</button>
      </form>
    </>
  );
}
