import { api, type Answer } from '../api.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';

export function OAuthClientsPage() {
  const [result] = useLoad(() => api<Answer<'GET /v1/oauth/clients'>>('GET', '/v1/oauth/clients'), []);
  if (result.state !== 'ready') return <LoadStatus title="OAuth clients" result={result} />;
  const { items } = result.data;
  return (
    <>
      <h1>OAuth clients</h1>
      <p className="muted">
        Machine-to-machine clients of the authorization server. Create and rotate them with the API or <code>tessera oauth clients</code>.
      </p>
      {items.length === 0 ? (
        <p className="empty">No OAuth clients yet.</p>
      ) : (
        <table>
          <TableHead columns={['Client', 'Name', 'Grants', 'Scopes', 'Created']} />
          <tbody>
            {items.map((c) => (
              <tr key={c.clientId}>
                <td className="mono">{c.clientId}</td>
                <td>{c.name}</td>
                <td>{c.grantTypes.join(', ')}</td>
                <td>{c.scopes.join(' ')}</td>
                <td>{when(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
