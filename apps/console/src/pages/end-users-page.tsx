import { useState, type FormEvent } from 'react';
import { api, can, errorText, type Answer } from '../api.js';
import { DataTable, RowActions } from '../data-table.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { formValues } from '../form-values.js';
import { ago, when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { EndUserGrants } from './end-user-grants.js';
import type { Notify, PageProps } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';

type EndUser = Answer<'GET /v1/users'>['items'][number];

const PAGE = 50;

/**
 * The workspace's end users (`end_users:read`, `end_users:manage`): the people its apps sign in
 * through the authorization endpoint, not the console's own users (those are under Settings).
 * The list a page at a time, a new user, the apps one allowed (and revoking one), disable and
 * enable one, sign one out everywhere, delete one.
 */
export function EndUsersPage({ session, notify }: PageProps) {
  // The cursors of this page and the pages before it (the first has none).
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const cursor = trail.at(-1)!;
  const [result, reload] = useLoad(
    () => api<Answer<'GET /v1/users'>>('GET', `/v1/users?${new URLSearchParams({ limit: String(PAGE), ...(cursor && { cursor }) })}`),
    [cursor],
  );
  const manage = can(session, 'end_users:manage');
  const [showing, setShowing] = useState<EndUser | null>(null);

  const intro = (
    <p className="muted">
      The people your apps sign in through Tessera’s authorization endpoint (the authorization code grant). They are not console users:
      those are under <a href="#/settings">Settings</a>.
    </p>
  );
  if (result.state !== 'ready')
    return (
      <>
        <LoadStatus title="End users" result={result} />
        {intro}
      </>
    );
  const { items, nextCursor } = result.data;
  const first = (trail.length - 1) * PAGE + 1;

  return (
    <>
      <h1>End users</h1>
      {intro}
      {items.length === 0 ? (
        <p className="empty">{trail.length === 1 ? 'No end users yet.' : 'No more end users.'}</p>
      ) : (
        <DataTable
          label="End users"
          className="end-users dense"
          caption="End users, oldest first"
          columns={['Email', 'Name', 'Email checked', 'Created', 'Last sign-in', 'State']}
          actions
        >
          {items.map((u) => (
            <tr key={u.userId} data-end-user-id={u.userId}>
              <td title={u.userId}>{u.email}</td>
              <td>{u.name ?? '—'}</td>
              <td>{u.emailVerified ? 'yes' : 'no'}</td>
              <td className="nowrap">{when(u.createdAt)}</td>
              <td className="nowrap" title={u.lastSignInAt ?? undefined}>
                {ago(u.lastSignInAt)}
              </td>
              <td>
                <span className={`badge ${u.disabled ? 'disabled' : 'active'}`}>{u.disabled ? 'disabled' : 'active'}</span>
              </td>
              <RowActions>
                <button type="button" onClick={() => setShowing(u)} aria-label={`Apps ${u.email} allowed`}>
                  Apps
                </button>
                {manage && <ManageEndUser user={u} notify={notify} onChanged={reload} />}
              </RowActions>
            </tr>
          ))}
        </DataTable>
      )}
      {showing !== null && (
        <EndUserGrants key={showing.userId} user={showing} manage={manage} notify={notify} onClose={() => setShowing(null)} />
      )}
      {(trail.length > 1 || nextCursor !== null) && (
        <nav className="pager" aria-label="Pages of end users">
          <button type="button" disabled={trail.length === 1} onClick={() => setTrail(trail.slice(0, -1))}>
            Previous
          </button>
          <span className="muted small">{`End users ${first}–${first + items.length - 1}`}</span>
          <button type="button" disabled={nextCursor === null} onClick={() => setTrail([...trail, nextCursor])}>
            Next
          </button>
        </nav>
      )}
      {manage && (
        <CreateEndUser
          onCreated={(u) => {
            notify(`Created the end user ${u.email}.`);
            reload();
          }}
        />
      )}
    </>
  );
}

/** One end user's buttons for `end_users:manage`: disable or enable, sign out everywhere, delete. */
function ManageEndUser({ user: u, notify, onChanged }: { user: EndUser; notify: Notify; onChanged(): void }) {
  const setDisabled = (disable: boolean) => {
    if (disable && !window.confirm(`Disable ${u.email}? They cannot sign in, and their apps' refresh tokens stop working.`)) return;
    api<Answer<'POST /v1/users/{userId}/disable'>>('POST', `/v1/users/${u.userId}/${disable ? 'disable' : 'enable'}`).then(
      () => {
        notify(disable ? `Disabled ${u.email}.` : `Enabled ${u.email}: they can sign in again.`);
        onChanged();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  const endSessions = () => {
    if (
      !window.confirm(
        `Sign ${u.email} out everywhere? Every sign-in ends, every app's refresh tokens stop working, and each app asks for consent again.`,
      )
    )
      return;
    api<Answer<'POST /v1/users/{userId}/sessions/end'>>('POST', `/v1/users/${u.userId}/sessions/end`).then(
      (r) =>
        notify(`Signed ${u.email} out everywhere: ${r.familiesRevoked} grant(s) revoked, ${r.consentsForgotten} consent(s) forgotten.`),
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  const remove = () => {
    if (!window.confirm(`Delete ${u.email}? Their consents go, their refresh tokens stop working, and this cannot be undone.`)) return;
    api('DELETE', `/v1/users/${u.userId}`).then(
      () => {
        notify(`Deleted ${u.email}.`);
        onChanged();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };

  return (
    <>
      <button type="button" onClick={() => setDisabled(!u.disabled)} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}>
        {u.disabled ? 'Enable' : 'Disable'}
      </button>
      <button type="button" onClick={endSessions} aria-label={`Sign out ${u.email} everywhere`}>
        Sign out
      </button>
      <button type="button" className="danger" onClick={remove} aria-label={`Delete ${u.email}`}>
        Delete
      </button>
    </>
  );
}

function CreateEndUser({ onCreated }: { onCreated(u: EndUser): void }) {
  const { error, setError, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    const password = String(new FormData(form).get('password') ?? '');
    if (password.length < 12) return setError('The password needs at least 12 characters.');
    const created = api<Answer<'POST /v1/users'>>('POST', '/v1/users', {
      email: v.email,
      password,
      ...(v.name !== '' && { name: v.name }),
      emailVerified: v.emailVerified === 'on',
    });
    send(created, (u) => {
      form.reset();
      onCreated(u);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="eu-create" onSubmit={submit}>
      <h2 id="eu-create">Create an end user</h2>
      <Field label="Email">
        <input name="email" type="email" required maxLength={254} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Password" hint="At least 12 characters. Tessera keeps only a hash; tell the person by a safe channel.">
        <input name="password" type="password" required maxLength={1024} autoComplete="new-password" />
      </Field>
      <Field label="Name" hint="Optional.">
        <input name="name" maxLength={200} autoComplete="off" />
      </Field>
      <label className="check">
        <input type="checkbox" name="emailVerified" /> I checked that this email belongs to the person
      </label>
      <FormFooter error={error} submit="Create end user" />
    </form>
  );
}
