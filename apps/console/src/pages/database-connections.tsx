import type { FormEvent } from 'react';
import { api, errorText, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field, NumberField } from '../field.js';
import { FormFooter } from '../form-error.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import type { Notify } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';

export type Connection = Answer<'GET /v1/databases/connections'>['items'][number];

const TLS: Record<Connection['tlsMode'], string> = {
  'verify-full': 'verified',
  require: 'encrypted only',
  disable: 'none (plain text)',
};

/**
 * The target databases Tessera makes logins on: each one's address and admin login (never its
 * password), registered here after Tessera has logged in with it once.
 */
export function DatabaseConnections({ items, notify, onChanged }: { items: Connection[]; notify: Notify; onChanged(): void }) {
  const remove = (c: Connection) => {
    if (!window.confirm(`Delete the connection ${c.name}? Tessera forgets its admin password. A connection a role uses cannot be deleted.`))
      return;
    api('DELETE', `/v1/databases/connections/${c.name}`).then(
      () => {
        notify(`Deleted the connection ${c.name}.`);
        onChanged();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  return (
    <section aria-labelledby="db-connections">
      <h2 id="db-connections">Connections</h2>
      {items.length === 0 ? (
        <p className="empty">No connection yet: register the PostgreSQL you want logins for below.</p>
      ) : (
        <DataTable label="Connections" columns={['Name', 'Address', 'Database', 'TLS', 'Admin login', 'Changed']} actions>
          {items.map((c) => (
            <tr key={c.name} data-connection={c.name}>
              <td>{c.name}</td>
              <td className="mono">{`${c.host}:${c.port}`}</td>
              <td>{c.database}</td>
              <td>{TLS[c.tlsMode]}</td>
              <td className="mono">{c.username}</td>
              <td className="nowrap">{when(c.updatedAt)}</td>
              <td>
                <button type="button" className="danger" aria-label={`Delete the connection ${c.name}`} onClick={() => remove(c)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ConnectionForm
        onSaved={(c) => {
          notify(`Tessera logged in to ${c.database} on ${c.host} as ${c.username}: the connection ${c.name} is saved.`);
          onChanged();
        }}
      />
    </section>
  );
}

function ConnectionForm({ onSaved }: { onSaved(c: Connection): void }) {
  const { error, sending, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    // The password as typed: spaces may belong to it.
    const password = String(new FormData(form).get('password') ?? '');
    const saved = api<Connection>('PUT', `/v1/databases/connections/${encodeURIComponent(v.name!)}`, {
      host: v.host,
      port: Number(v.port || 5432),
      database: v.database,
      tlsMode: v.tlsMode,
      username: v.username,
      password,
    });
    send(saved, (c) => {
      form.reset();
      onSaved(c);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="db-connect" onSubmit={submit}>
      <h3 id="db-connect">Register a PostgreSQL connection</h3>
      <p className="muted small">
        Tessera logs in with the admin login first and refuses a connection that cannot. The admin needs CREATEROLE and pg_signal_backend,
        not superuser. Registering a name again replaces its settings.
      </p>
      <div className="edit-grid">
        <Field label="Name" hint="Lower-case letters, digits, _ and -.">
          <input name="name" required maxLength={63} pattern="[a-z0-9][a-z0-9_\-]*" spellCheck={false} autoComplete="off" />
        </Field>
        <Field label="Host">
          <input name="host" required spellCheck={false} placeholder="db.internal" autoComplete="off" />
        </Field>
        <NumberField label="Port" name="port" min={1} max={65535} defaultValue={5432} />
        <Field label="Database">
          <input name="database" required spellCheck={false} autoComplete="off" />
        </Field>
        <Field label="TLS" hint="Verified checks the certificate and the host name; encrypted only checks neither.">
          <select name="tlsMode" defaultValue="verify-full">
            {Object.entries(TLS).map(([mode, words]) => (
              <option key={mode} value={mode}>
                {words}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Admin login">
          <input name="username" required spellCheck={false} autoComplete="off" placeholder="tessera_admin" />
        </Field>
        <Field label="Admin password" hint="Encrypted by Tessera's keyring; never shown again.">
          <input name="password" type="password" required autoComplete="new-password" />
        </Field>
      </div>
      <FormFooter error={error} submit={sending ? 'Logging in…' : 'Save the connection'} disabled={sending} />
    </form>
  );
}
