import { Fragment, useState, type FormEvent, type ReactNode } from 'react';
import { api, can, type Answer } from '../api.js';
import { DataTable, RowActions } from '../data-table.js';
import { NumberField } from '../field.js';
import { duration, when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { useLoad } from '../use-load.js';
import { OAuthClientForm } from './oauth-client-form.js';
import { ClientSecretSchedule, SecretDue } from './client-secret-schedule.js';
import { SigningKeysSection } from './signing-keys-section.js';

type Client = Answer<'GET /v1/oauth/clients'>['items'][number];

/** A client that holds a secret, which may be rotated. */
const hasSecret = (c: Client) => c.tokenEndpointAuthMethod !== 'private_key_jwt' && c.tokenEndpointAuthMethod !== 'none';
/** A grant by its short name: the token exchange's URN is long. */
const grantName = (g: Client['grantTypes'][number]) => g.replace('urn:ietf:params:oauth:grant-type:', '');
/** What a new secret's reveal says: whose it is, and how long the old one keeps working. */
const newSecretTitle = (c: Client, overlapSeconds: number) =>
  `New secret of ${c.name}.${overlapSeconds > 0 ? ` The old secret keeps working for ${duration(overlapSeconds)}.` : ' The old secret no longer works.'}`;

/** Which client's row has one of its panels (its edit form, its secret schedule) open below it. */
function usePanel() {
  const [open, setOpen] = useState<string | null>(null);
  return {
    isOpen: (clientId: string) => open === clientId,
    toggle: (clientId: string) => setOpen(open === clientId ? null : clientId),
    close: () => setOpen(null),
  };
}
type Panel = ReturnType<typeof usePanel>;

/** The button in a client's row that opens one of its panels, or closes it. */
function PanelButton({ panel, clientId, label, children }: { panel: Panel; clientId: string; label: string; children: ReactNode }) {
  return (
    <button type="button" aria-expanded={panel.isOpen(clientId)} aria-label={label} onClick={() => panel.toggle(clientId)}>
      {children}
    </button>
  );
}

/** A client's open panel, in a row of its own below the client's. */
function PanelRow({ open, children }: { open: boolean; children: ReactNode }) {
  if (!open) return null;
  return (
    <tr className="expanded">
      <td colSpan={7}>{children}</td>
    </tr>
  );
}

/**
 * The clients of the authorization server, machines and apps people sign in through: the list, a
 * new client (its secret shown once, unless it is public), an edit of its grants and redirect
 * URIs, a new secret (the old one kept for a grace period), its rotation schedule, and delete; and
 * the authorization server's signing keys.
 */
export function OAuthClientsPage({ session, notify }: PageProps) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/oauth/clients'>>('GET', '/v1/oauth/clients'), []);
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const scheduling = usePanel();
  const editing = usePanel();
  const manage = can(session, 'oauth:manage');
  if (result.state !== 'ready') return <LoadStatus title="OAuth clients" result={result} />;
  const { items } = result.data;

  const rotate = (c: Client, e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const minutes = Number((e.currentTarget.elements.namedItem('grace') as HTMLInputElement).value || 0);
    api<Answer<'POST /v1/oauth/clients/{clientId}/rotate-secret'>>('POST', `/v1/oauth/clients/${c.clientId}/rotate-secret`, {
      gracePeriodSeconds: Math.round(minutes * 60),
    }).then(
      (r) => setShown({ title: newSecretTitle(c, Math.round(minutes * 60)), secret: r.clientSecret }),
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
        Clients of the authorization server: services (client credentials) and apps people sign in through (authorization code, public or
        with a secret). Create, edit, rotate and delete them here, with the API, or with <code>tessera oauth clients</code>.
      </p>
      <RevealSlot
        shown={shown && { title: shown.title, value: shown.secret, note: 'Tessera keeps only a hash.' }}
        noun="client secret"
        notify={notify}
        onHide={() => setShown(null)}
      />
      {items.length === 0 ? (
        <p className="empty">No OAuth clients yet.</p>
      ) : (
        <DataTable
          label="OAuth clients"
          className="oauth-clients"
          columns={['Client', 'Name', 'Grants', 'Scopes', 'Created', 'Secret due']}
          actions={manage}
        >
          {items.map((c) => (
            <Fragment key={c.clientId}>
              <tr data-client-id={c.clientId}>
                <td className="mono">{c.clientId}</td>
                <td>{c.name}</td>
                <td>
                  {c.grantTypes.map(grantName).join(', ')}
                  {c.requirePar && <span className="muted small stacked">requires PAR</span>}
                  {c.redirectUris.length > 0 && (
                    <span className="muted small stacked" title={c.redirectUris.join('\n')}>
                      {`${c.redirectUris.length} redirect ${c.redirectUris.length === 1 ? 'URI' : 'URIs'}`}
                    </span>
                  )}
                </td>
                <td>{c.scopes.join(' ')}</td>
                <td className="nowrap">{when(c.createdAt)}</td>
                <td>
                  {c.tokenEndpointAuthMethod === 'private_key_jwt' || c.tokenEndpointAuthMethod === 'none' ? (
                    <span className="muted">{c.tokenEndpointAuthMethod === 'none' ? 'public: no secret' : 'signs with its keys'}</span>
                  ) : (
                    <SecretDue client={c} />
                  )}
                </td>
                {manage && (
                  <RowActions>
                    {hasSecret(c) && (
                      <form className="inline" onSubmit={(e) => rotate(c, e)} aria-label={`New secret for ${c.name}`}>
                        <NumberField label="Old secret works on (minutes)" name="grace" min={0} max={43_200} step="any" defaultValue={0} />
                        <button type="submit">New secret</button>
                      </form>
                    )}
                    {hasSecret(c) && (
                      <PanelButton panel={scheduling} clientId={c.clientId} label={`Secret rotation schedule of ${c.name}`}>
                        Schedule
                      </PanelButton>
                    )}
                    <PanelButton panel={editing} clientId={c.clientId} label={`Edit the OAuth client ${c.name}`}>
                      Edit
                    </PanelButton>
                    <button type="button" className="danger" aria-label={`Delete the OAuth client ${c.name}`} onClick={() => remove(c)}>
                      Delete
                    </button>
                  </RowActions>
                )}
              </tr>
              <PanelRow open={manage && editing.isOpen(c.clientId)}>
                <OAuthClientForm
                  client={c}
                  onSaved={(saved) => {
                    notify(`Saved the OAuth client ${saved.name}.`);
                    editing.close();
                    reload();
                  }}
                />
              </PanelRow>
              <PanelRow open={manage && scheduling.isOpen(c.clientId)}>
                <ClientSecretSchedule
                  client={c}
                  onSaved={(_, message) => {
                    notify(message);
                    reload();
                  }}
                  onRotated={(secret, overlap) => {
                    setShown({ title: newSecretTitle(c, overlap), secret });
                    reload();
                  }}
                />
              </PanelRow>
            </Fragment>
          ))}
        </DataTable>
      )}
      {manage && <SigningKeysSection notify={notify} />}
      {manage && (
        <OAuthClientForm
          onSaved={(c) => {
            if ('clientSecret' in c && c.clientSecret !== undefined)
              setShown({ title: `OAuth client ${c.name} created`, secret: c.clientSecret });
            else
              notify(
                `Created the OAuth client ${c.name}${c.tokenEndpointAuthMethod === 'none' ? ', a public client with no secret' : ''}.`,
              );
            reload();
          }}
        />
      )}
    </>
  );
}
