import { useState, type FormEvent } from 'react';
import { api, errorText, type Answer } from '../api.js';
import { DataTable, RowActions } from '../data-table.js';
import { DurationField, secondsOf } from '../duration-field.js';
import { Field } from '../field.js';
import { FormError } from '../form-error.js';
import { formValues } from '../form-values.js';
import { duration } from '../format.js';
import type { Notify } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import type { Connection } from './database-connections.js';

export type Role = Answer<'GET /v1/databases/roles'>['items'][number];
export type Credential = Answer<'POST /v1/databases/roles/{name}/credentials'>;

/** The server names a role's fields as the API does; the form names them as its labels do. */
const FIELDS: [RegExp, string][] = [
  [/\bcreationStatements\b/g, 'The creation statements'],
  [/\brevocationStatements\b/g, 'The revocation statements'],
  [/\brenewStatements\b/g, 'The renewal statements'],
  [/\bdefaultTtlSeconds\b/g, 'The default TTL'],
  [/\bmaxTtlSeconds\b/g, 'The maximum TTL'],
];
const inWords = (detail: string) => FIELDS.reduce((text, [name, words]) => text.replace(name, words), detail);

const CREATION = `CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}};`;

/** Roles: the SQL that makes a login and its TTLs; each can hand out a credential here. */
export function DatabaseRoles({
  items,
  connections,
  manage,
  credentials,
  notify,
  onChanged,
  onIssued,
}: {
  items: Role[];
  connections: Connection[];
  manage: boolean;
  credentials: boolean;
  notify: Notify;
  onChanged(): void;
  onIssued(c: Credential, role: string): void;
}) {
  const [editing, setEditing] = useState<Role | null>(null);
  const remove = (r: Role) => {
    if (!window.confirm(`Delete the role ${r.name}? A role with open leases cannot be deleted: revoke them first.`)) return;
    api('DELETE', `/v1/databases/roles/${r.name}`).then(
      () => {
        notify(`Deleted the role ${r.name}.`);
        onChanged();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  const request = (r: Role, e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const ttl = secondsOf(e.currentTarget, 'ttl');
    api<Credential>('POST', `/v1/databases/roles/${r.name}/credentials`, ttl === null ? {} : { ttlSeconds: ttl }).then(
      (c) => onIssued(c, r.name),
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  return (
    <section aria-labelledby="db-roles">
      <h2 id="db-roles">Roles</h2>
      {items.length === 0 ? (
        <p className="empty">
          {connections.length === 0
            ? 'No role yet: register a connection above, then write a role to say what a login may do.'
            : 'No role yet: write one below to say what a login may do.'}
        </p>
      ) : (
        <DataTable label="Roles" columns={['Role', 'Connection', 'Default TTL', 'Maximum TTL']} actions>
          {items.map((r) => (
            <tr key={r.name} data-role={r.name}>
              <td>{r.name}</td>
              <td>{r.connection}</td>
              <td>{duration(r.defaultTtlSeconds)}</td>
              <td>{duration(r.maxTtlSeconds)}</td>
              <RowActions>
                {credentials && (
                  <form className="inline" onSubmit={(e) => request(r, e)} aria-label={`Request a credential of ${r.name}`}>
                    <DurationField label="Lives for" name="ttl" units={['minutes', 'hours']} hint="Empty: the role's default." />
                    <button type="submit" className="primary">
                      Request a credential
                    </button>
                  </form>
                )}
                {manage && (
                  <>
                    <button type="button" aria-label={`Edit the role ${r.name}`} onClick={() => setEditing(r)}>
                      Edit
                    </button>
                    <button type="button" className="danger" aria-label={`Delete the role ${r.name}`} onClick={() => remove(r)}>
                      Delete
                    </button>
                  </>
                )}
              </RowActions>
            </tr>
          ))}
        </DataTable>
      )}
      {manage && connections.length > 0 && (
        <RoleForm
          key={editing?.name ?? 'new'}
          role={editing}
          connections={connections}
          onCancel={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            notify(`The role ${r.name} is saved.`);
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function RoleForm({
  role,
  connections,
  onSaved,
  onCancel,
}: {
  role: Role | null;
  connections: Connection[];
  onSaved(r: Role): void;
  onCancel(): void;
}) {
  const { error, send } = useFormSend({ words: inWords });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    const defaultTtl = secondsOf(form, 'defaultTtl');
    const maxTtl = secondsOf(form, 'maxTtl');
    const saved = api<Role>('PUT', `/v1/databases/roles/${encodeURIComponent(v.name!)}`, {
      connection: v.connection,
      creationStatements: v.creationStatements,
      revocationStatements: v.revocationStatements || null,
      renewStatements: v.renewStatements || null,
      ...(defaultTtl !== null && { defaultTtlSeconds: defaultTtl }),
      ...(maxTtl !== null && { maxTtlSeconds: maxTtl }),
    });
    send(saved, (r) => {
      form.reset();
      onSaved(r);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="db-role-form" onSubmit={submit}>
      <h3 id="db-role-form">{role ? `Edit the role ${role.name}` : 'Write a role'}</h3>
      <p className="muted small">
        Statements are SQL with placeholders Tessera fills in, quoted: <code>{'{{name}}'}</code> (the login), <code>{'{{password}}'}</code>{' '}
        and <code>{'{{expiration}}'}</code>.
      </p>
      <div className="edit-grid">
        <Field label="Name" hint="Lower-case letters, digits, _ and -.">
          <input
            name="name"
            required
            maxLength={63}
            pattern="[a-z0-9][a-z0-9_\-]*"
            spellCheck={false}
            autoComplete="off"
            defaultValue={role?.name}
            readOnly={role !== null}
          />
        </Field>
        <Field label="Connection">
          <select name="connection" defaultValue={role?.connection ?? connections[0]!.name}>
            {connections.map((c) => (
              <option key={c.name} value={c.name}>
                {`${c.name} (${c.database} on ${c.host})`}
              </option>
            ))}
          </select>
        </Field>
        <TtlField label="Default TTL" name="defaultTtl" seconds={role?.defaultTtlSeconds ?? 3600} />
        <TtlField label="Maximum TTL" name="maxTtl" seconds={role?.maxTtlSeconds ?? 86_400} hint="No renewal reaches past it." />
      </div>
      <div className="statements">
        <Field label="Creation statements">
          <textarea name="creationStatements" rows={4} required spellCheck={false} defaultValue={role?.creationStatements ?? CREATION} />
        </Field>
        <Field label="Revocation statements (optional)" hint="Empty: end its sessions, drop what it owns, drop the login.">
          <textarea name="revocationStatements" rows={2} spellCheck={false} defaultValue={role?.revocationStatements ?? ''} />
        </Field>
        <Field label="Renewal statements (optional)" hint="Empty: move the login's VALID UNTIL.">
          <textarea name="renewStatements" rows={2} spellCheck={false} defaultValue={role?.renewStatements ?? ''} />
        </Field>
      </div>
      <FormError error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Save the role
        </button>
        {role && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** A lease's length, in minutes or hours. */
function TtlField(props: { label: string; name: string; seconds: number; hint?: string }) {
  return <DurationField {...props} units={['minutes', 'hours']} required />;
}
