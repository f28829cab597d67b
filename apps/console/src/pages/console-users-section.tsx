import type { FormEvent } from 'react';
import { api, type Answer, type SessionInfo } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { Options } from '../options.js';
import type { Notify } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { loadWorkspaces, type Workspace } from '../workspaces.js';
import { WorkspaceChoices } from './workspace-choices.js';

type User = Answer<'GET /console/api/users'>['items'][number];

/**
 * The console users of the workspace the console works in (owners: `users:manage`): their roles,
 * the other workspaces each one reaches, enabled or not, locked or not; and those homed in other
 * workspaces who reach this one, managed in their home.
 */
export function ConsoleUsers({ session, notify }: { session: SessionInfo; notify: Notify }) {
  const me = session.user;
  const [result, reload] = useLoad(
    () => Promise.all([api<Answer<'GET /console/api/users'>>('GET', '/console/api/users'), loadWorkspaces()]),
    [],
  );
  if (result.state !== 'ready') return <LoadStatus result={result} failed="The console users could not load" />;
  const [{ items, reaching }, workspaces] = result.data;
  const nameOf = (id: string) => workspaces.find((w) => w.id === id)?.name ?? id;
  // What the owner may give: the workspaces it reaches, but the one the users are homed in.
  const grantable = workspaces.filter((w) => w.id !== session.workspaceId);

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
    const otherWorkspaceIds = new FormData(form).getAll('workspace').map(String);
    api('POST', '/console/api/users', {
      email: v.email,
      role: v.role,
      password: v.password,
      ...(otherWorkspaceIds.length > 0 && { otherWorkspaceIds }),
    }).then(
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
        <TableHead columns={['Email', 'Role', 'Other workspaces', 'Two-factor', 'Last sign-in', 'State']} actions />
        <tbody>
          {items.map((u) => (
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
                  <Options values={['owner', 'admin', 'viewer']} />
                </select>
              </td>
              <td>
                <OtherWorkspaces
                  user={u}
                  grantable={grantable}
                  nameOf={nameOf}
                  onSave={(ids) => void patch(u, { otherWorkspaceIds: ids }, `Changed the workspaces ${u.email} reaches.`)}
                />
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
      {reaching.length > 0 && (
        <>
          <h3 id="reaching-users">From other workspaces</h3>
          <p className="muted small">These users reach this workspace with their role; change them in their home workspace.</p>
          <table aria-labelledby="reaching-users">
            <TableHead columns={['Email', 'Role', 'Home workspace']} />
            <tbody>
              {reaching.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.role}</td>
                  <td>{nameOf(u.workspaceId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <form className="inline-form" aria-labelledby="add-user" onSubmit={add}>
        <h3 id="add-user">Add a console user</h3>
        <Field label="Email">
          <input name="email" type="email" required autoComplete="off" />
        </Field>
        <Field label="Role">
          <select name="role">
            <Options values={['viewer', 'admin', 'owner']} />
          </select>
        </Field>
        {grantable.length > 0 && <WorkspaceChoices legend="Also reaches" choices={grantable} checked={[]} />}
        <Field label="Initial password" hint="Give it to them in person; they set up two-factor sign-in at their first sign-in.">
          <input name="password" type="password" required minLength={12} autoComplete="new-password" />
        </Field>
        <button type="submit">Add user</button>
      </form>
    </>
  );
}

/** The other workspaces a user reaches, and, when the owner reaches any to give, a form to change them. */
function OtherWorkspaces({
  user,
  grantable,
  nameOf,
  onSave,
}: {
  user: User;
  grantable: Workspace[];
  nameOf(id: string): string;
  onSave(ids: string[]): void;
}) {
  const names = user.otherWorkspaceIds.map(nameOf).join(', ');
  if (grantable.length === 0) return <>{names || 'none'}</>;
  return (
    <details className="reach" key={user.otherWorkspaceIds.join(' ')}>
      <summary aria-label={`Other workspaces of ${user.email}: ${names || 'none'}`}>{names || 'none'}</summary>
      <form
        aria-label={`Workspaces ${user.email} reaches`}
        onSubmit={(e) => {
          e.preventDefault();
          onSave(new FormData(e.currentTarget).getAll('workspace').map(String));
        }}
      >
        <WorkspaceChoices legend={`Besides this one, ${user.email} reaches`} choices={grantable} checked={user.otherWorkspaceIds} />
        <button type="submit">Save workspaces</button>
      </form>
    </details>
  );
}
