import { PERMISSIONS } from '@tessera/api';
import { useState, type FormEvent } from 'react';
import { api, errorText, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field, NumberField } from '../field.js';
import { FormFooter } from '../form-error.js';
import { ago, duration, when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';

type RootKey = Answer<'GET /v1/root-keys'>['items'][number];
type Keyspaces = Answer<'GET /v1/keyspaces'>['items'];

const stateOf = (rk: RootKey) =>
  rk.revokedAt !== null ? 'revoked' : rk.expiresAt !== null && Date.parse(rk.expiresAt) <= Date.now() ? 'expired' : 'active';

/**
 * Root keys (`root_keys:manage`): the keys that call the management API. Create one with the
 * permissions and keyspaces it needs (shown once), see when each was last used, roll one (the new
 * key shown once, the old one working on for the minutes chosen), revoke one.
 */
export function RootKeysPage({ notify }: PageProps) {
  const [result, reload] = useLoad(
    () => Promise.all([api<Answer<'GET /v1/root-keys'>>('GET', '/v1/root-keys'), api<Answer<'GET /v1/keyspaces'>>('GET', '/v1/keyspaces')]),
    [],
  );
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  if (result.state !== 'ready') return <LoadStatus title="Root keys" result={result} />;
  const [{ items }, { items: keyspaces }] = result.data;
  const keyspaceName = (id: string) => keyspaces.find((ks) => ks.id === id)?.name ?? id;

  const revoke = (rk: RootKey) => {
    if (!window.confirm(`Revoke the root key ${rk.name}? Whatever uses it loses access to the API at once.`)) return;
    api('POST', `/v1/root-keys/${rk.id}/revoke`).then(
      () => {
        notify(`Revoked the root key ${rk.name}.`);
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  const active = items.filter((rk) => stateOf(rk) === 'active');
  const roll = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const rk = active.find((k) => k.id === data.get('rootKey'));
    if (rk === undefined) return;
    const minutes = Number(data.get('grace') || 0);
    api<Answer<'POST /v1/root-keys/{id}/roll'>>('POST', `/v1/root-keys/${rk.id}/roll`, {
      gracePeriodSeconds: Math.round(minutes * 60),
    }).then(
      (r) => {
        setShown({ name: `${rk.name} (new)`, key: r.key });
        notify(
          minutes > 0
            ? `Rolled ${rk.name}: the old key keeps working for ${duration(Math.round(minutes * 60))}.`
            : `Rolled ${rk.name}: the old key no longer works.`,
        );
        reload();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };

  return (
    <>
      <h1>Root keys</h1>
      <p className="muted">
        Root keys call the management API (create, read and revoke keys, read the audit log…). Give each one only the permissions and
        keyspaces it needs; Tessera keeps only a hash of it.
      </p>
      <RevealSlot
        shown={shown && { title: `Root key ${shown.name} created`, value: shown.key, note: 'Tessera keeps only a hash.' }}
        noun="root key"
        notify={notify}
        onHide={() => setShown(null)}
      />
      <DataTable
        label="Root keys"
        className="root-keys"
        columns={['Name', 'Starts with', 'Permissions', 'Keyspaces', 'Created', 'Last used', 'Expires', 'State']}
        actions
      >
        {items.map((rk) => (
          <tr key={rk.id} data-root-key-id={rk.id}>
            <td>{rk.name}</td>
            <td className="mono nowrap">{rk.start}</td>
            <td className="mono">{rk.permissions.join(' ')}</td>
            <td>{rk.keyspaceIds === null ? 'all' : rk.keyspaceIds.map(keyspaceName).join(', ')}</td>
            {/* Dates may wrap, so the table fits a 1280 px window with its Revoke buttons. */}
            <td>{when(rk.createdAt)}</td>
            <td className="nowrap">{ago(rk.lastUsedAt)}</td>
            <td>{rk.expiresAt === null ? 'never' : when(rk.expiresAt)}</td>
            <td>
              <span className={`badge ${stateOf(rk)}`}>{stateOf(rk)}</span>
            </td>
            <td>
              {stateOf(rk) === 'active' && (
                <button type="button" className="danger" aria-label={`Revoke the root key ${rk.name}`} onClick={() => revoke(rk)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {active.length > 0 && (
        <form className="inline-form" aria-labelledby="rk-roll" onSubmit={roll}>
          <h2 id="rk-roll">Roll a root key</h2>
          <p className="muted small">A new key with the same permissions, shown once; the old one works on for the minutes chosen.</p>
          <div className="row">
            <Field label="Root key">
              <select name="rootKey">
                {active.map((rk) => (
                  <option key={rk.id} value={rk.id}>{`${rk.name} (${rk.start})`}</option>
                ))}
              </select>
            </Field>
            <NumberField label="Old key works on (minutes)" name="grace" min={0} max={43_200} step="any" defaultValue={0} />
          </div>
          <button type="submit">Roll</button>
        </form>
      )}
      <CreateRootKey
        keyspaces={keyspaces}
        onCreated={(name, key) => {
          setShown({ name, key });
          reload();
        }}
      />
    </>
  );
}

function CreateRootKey({ keyspaces, onCreated }: { keyspaces: Keyspaces; onCreated(name: string, key: string): void }) {
  const { error, setError, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const permissions = data.getAll('permission').map(String);
    const keyspaceIds = data.getAll('keyspace').map(String);
    const expires = String(data.get('expiresAt') ?? '');
    if (permissions.length === 0) return setError('Choose at least one permission.');
    const created = api<Answer<'POST /v1/root-keys'>>('POST', '/v1/root-keys', {
      name,
      permissions,
      ...(keyspaceIds.length > 0 && { keyspaceIds }),
      ...(expires !== '' && { expiresAt: new Date(expires).toISOString() }),
    });
    send(created, (r) => {
      form.reset();
      onCreated(name, r.key);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="rk-create" onSubmit={submit}>
      <h2 id="rk-create">Create a root key</h2>
      <Field label="Name" hint="Who or what uses it, such as “CI deployer”.">
        <input name="name" required maxLength={200} autoComplete="off" />
      </Field>
      <fieldset>
        <legend>Permissions</legend>
        <div className="choices">
          {['*', ...PERMISSIONS].map((p) => (
            <label key={p} className="check">
              <input type="checkbox" name="permission" value={p} /> <code>{p}</code>
              {p === '*' && ' (every permission)'}
            </label>
          ))}
        </div>
      </fieldset>
      {keyspaces.length > 0 && (
        <fieldset>
          <legend>Keyspaces it may reach (none chosen: all)</legend>
          <div className="choices">
            {keyspaces.map((ks) => (
              <label key={ks.id} className="check">
                <input type="checkbox" name="keyspace" value={ks.id} /> {`${ks.name} (${ks.prefix})`}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <Field label="Expires at" hint="In your local time; leave empty for no expiry.">
        <input name="expiresAt" type="datetime-local" />
      </Field>
      <FormFooter error={error} submit="Create root key" />
    </form>
  );
}
