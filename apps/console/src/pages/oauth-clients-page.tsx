import { Fragment, useState, type FormEvent } from 'react';
import { api, can, errorText, type Answer } from '../api.js';
import { Field } from '../field.js';
import { duration, when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { ShowOnce } from '../show-once.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { TableScroll } from '../table-scroll.js';
import { ClientSecretSchedule, SecretDue } from './client-secret-schedule.js';
import { SigningKeysSection } from './signing-keys-section.js';

type Client = Answer<'GET /v1/oauth/clients'>['items'][number];

/** Words in a field, split by spaces or commas. */
const words = (text: string) => text.split(/[\s,]+/).filter((w) => w !== '');

/**
 * Machine-to-machine clients of the authorization server: the list, a new client (its secret
 * shown once), a new secret (the old one kept for a grace period), its rotation schedule, and
 * delete; and the authorization server's signing keys.
 */
export function OAuthClientsPage({ session, notify }: PageProps) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/oauth/clients'>>('GET', '/v1/oauth/clients'), []);
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const [scheduling, setScheduling] = useState<string | null>(null);
  const manage = can(session, 'oauth:manage');
  if (result.state !== 'ready') return <LoadStatus title="OAuth clients" result={result} />;
  const { items } = result.data;

  const rotate = (c: Client, e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const minutes = Number((e.currentTarget.elements.namedItem('grace') as HTMLInputElement).value || 0);
    api<Answer<'POST /v1/oauth/clients/{clientId}/rotate-secret'>>('POST', `/v1/oauth/clients/${c.clientId}/rotate-secret`, {
      gracePeriodSeconds: Math.round(minutes * 60),
    }).then(
      (r) => {
        const grace =
          minutes > 0 ? ` The old secret keeps working for ${duration(Math.round(minutes * 60))}.` : ' The old secret no longer works.';
        setShown({ title: `New secret of ${c.name}.${grace}`, secret: r.clientSecret });
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };
  const remove = (c: Client) => {
    if (!window.confirm(`Delete the OAuth client ${c.name}? Its tokens stop working and it can get no new ones.`)) return;
    api('DELETE', `/v1/oauth/clients/${c.clientId}`).then(
      () => {
        notify(`Deleted the OAuth client ${c.name}.`);
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <>
      <h1>OAuth clients</h1>
      <p className="muted">
        Machine-to-machine clients of the authorization server. Create, rotate and delete them here, with the API, or with{' '}
        <code>tessera oauth clients</code>.
      </p>
      <div className="reveal-slot">
        {shown && (
          <ShowOnce
            key={shown.secret}
            title={shown.title}
            value={shown.secret}
            noun="client secret"
            note="Tessera keeps only a hash."
            notify={notify}
            onHide={() => setShown(null)}
          />
        )}
      </div>
      {items.length === 0 ? (
        <p className="empty">No OAuth clients yet.</p>
      ) : (
        <TableScroll label="OAuth clients">
          <table className="oauth-clients">
            <TableHead columns={['Client', 'Name', 'Grants', 'Scopes', 'Created', 'Secret due']} actions={manage} />
            <tbody>
              {items.map((c) => (
                <Fragment key={c.clientId}>
                  <tr data-client-id={c.clientId}>
                    <td className="mono">{c.clientId}</td>
                    <td>{c.name}</td>
                    <td>{c.grantTypes.join(', ')}</td>
                    <td>{c.scopes.join(' ')}</td>
                    <td className="nowrap">{when(c.createdAt)}</td>
                    <td>
                      {c.tokenEndpointAuthMethod === 'private_key_jwt' ? (
                        <span className="muted">no secret</span>
                      ) : (
                        <SecretDue client={c} />
                      )}
                    </td>
                    {manage && (
                      <td>
                        <div className="row">
                          {c.tokenEndpointAuthMethod !== 'private_key_jwt' && (
                            <form className="inline" onSubmit={(e) => rotate(c, e)} aria-label={`New secret for ${c.name}`}>
                              <Field label="Old secret works on (minutes)">
                                <input name="grace" type="number" min={0} max={43_200} step="any" defaultValue={0} />
                              </Field>
                              <button type="submit">New secret</button>
                            </form>
                          )}
                          {c.tokenEndpointAuthMethod !== 'private_key_jwt' && (
                            <button
                              type="button"
                              aria-expanded={scheduling === c.clientId}
                              aria-label={`Secret rotation schedule of ${c.name}`}
                              onClick={() => setScheduling(scheduling === c.clientId ? null : c.clientId)}
                            >
                              Schedule
                            </button>
                          )}
                          <button
                            type="button"
                            className="danger"
                            aria-label={`Delete the OAuth client ${c.name}`}
                            onClick={() => remove(c)}
                          >
                            Delete
                          </button>
                        </div>
                      </td>
                    )}
                  </tr>
                  {manage && scheduling === c.clientId && (
                    <tr className="expanded">
                      <td colSpan={7}>
                        <ClientSecretSchedule
                          client={c}
                          onSaved={(_, message) => {
                            notify(message);
                            reload();
                          }}
                          onRotated={(secret, overlap) => {
                            setShown({
                              title: `New secret of ${c.name}.${overlap > 0 ? ` The old secret keeps working for ${duration(overlap)}.` : ' The old secret no longer works.'}`,
                              secret,
                            });
                            reload();
                          }}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {manage && <SigningKeysSection notify={notify} />}
      {manage && (
        <CreateClient
          onCreated={(c) => {
            if (c.clientSecret !== undefined) setShown({ title: `OAuth client ${c.name} created`, secret: c.clientSecret });
            else notify(`Created the OAuth client ${c.name}.`);
            reload();
          }}
        />
      )}
    </>
  );
}

function CreateClient({ onCreated }: { onCreated(c: Answer<'POST /v1/oauth/clients'>): void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const scopes = words(String(data.get('scopes') ?? ''));
    const audience = words(String(data.get('audience') ?? ''));
    api<Answer<'POST /v1/oauth/clients'>>('POST', '/v1/oauth/clients', {
      name: String(data.get('name') ?? '').trim(),
      ...(scopes.length > 0 && { scopes }),
      ...(audience.length > 0 && { audience }),
    }).then(
      (c) => {
        setError(null);
        form.reset();
        onCreated(c);
      },
      (err: unknown) => setError(errorText(err)),
    );
  };
  return (
    <form className="inline-form" aria-labelledby="oc-create" onSubmit={submit}>
      <h2 id="oc-create">Create an OAuth client</h2>
      <p className="muted small">
        A client of the client-credentials grant, authenticated by a secret; set other grants, token lifetimes or DPoP with the API.
      </p>
      <Field label="Name">
        <input name="name" required maxLength={200} autoComplete="off" />
      </Field>
      <Field label="Scopes" hint="Separated by spaces or commas; wildcards such as invoices:* work.">
        <input name="scopes" placeholder="invoices:read invoices:write" spellCheck={false} />
      </Field>
      <Field label="Audience" hint="The APIs its tokens are for, such as https://api.example.com; the first is the default.">
        <input name="audience" spellCheck={false} />
      </Field>
      <div role="alert" className="form-error">
        {error !== null && <p className="error">{error}</p>}
      </div>
      <button type="submit" className="primary">
        Create client
      </button>
    </form>
  );
}
