import { api, errorText, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { Notify } from '../page-props.js';
import { useLoad } from '../use-load.js';

type Grant = Answer<'GET /v1/users/{userId}/grants'>['items'][number];

/**
 * The apps an end user allowed (`GET /v1/users/{userId}/grants`): each app's scopes, when it was
 * allowed, and how many refresh tokens it holds; with `end_users:manage`, Revoke forgets the
 * app's consent and stops its refresh tokens.
 */
export function EndUserGrants({
  user,
  manage,
  notify,
  onClose,
}: {
  user: { userId: string; email: string };
  manage: boolean;
  notify: Notify;
  onClose(): void;
}) {
  const path = `/v1/users/${encodeURIComponent(user.userId)}/grants`;
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/users/{userId}/grants'>>('GET', path), [path]);
  const title = `Apps ${user.email} allowed`;

  const revoke = (g: Grant) => {
    const app = g.clientName ?? g.clientId;
    if (!window.confirm(`Revoke ${app}’s access for ${user.email}? Its refresh tokens stop working, and it asks for consent again.`))
      return;
    api('DELETE', `${path}/${encodeURIComponent(g.clientId)}`).then(
      () => {
        notify(`Revoked ${app}’s access for ${user.email}.`);
        reload();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };

  return (
    <section className="card" aria-labelledby="eu-grants">
      <div className="row">
        <h2 id="eu-grants">{title}</h2>
        <button type="button" onClick={onClose} aria-label={`Close ${title}`}>
          Close
        </button>
      </div>
      {result.state !== 'ready' ? (
        <LoadStatus failed="The apps could not load" result={result} />
      ) : result.data.items.length === 0 ? (
        <p className="empty">No app holds access for this user.</p>
      ) : (
        <DataTable
          label={title}
          className="dense"
          caption={title}
          columns={['App', 'Scopes', 'Allowed', 'Refresh tokens']}
          actions={manage}
        >
          {result.data.items.map((g) => (
            <tr key={g.clientId} data-client-id={g.clientId}>
              <td title={g.clientId}>{g.clientName ?? `${g.clientId} (deleted)`}</td>
              <td>{g.scopes.length > 0 ? g.scopes.join(' ') : '—'}</td>
              <td className="nowrap">{g.grantedAt === null ? '—' : when(g.grantedAt)}</td>
              <td>{g.activeGrants}</td>
              {manage && (
                <td>
                  <button type="button" className="danger" onClick={() => revoke(g)} aria-label={`Revoke ${g.clientName ?? g.clientId}`}>
                    Revoke
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
