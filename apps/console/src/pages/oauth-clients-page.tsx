import { api } from '../api.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';

interface Client {
  clientId?: string;
  id?: string;
  name?: string;
  grantTypes?: string[];
  scopes?: string[];
  createdAt?: string;
}

export function OAuthClientsPage() {
  const [result] = useLoad(() => api<{ items: Client[] }>('GET', '/v1/oauth/clients'), []);
  if (result.state !== 'ready') return <LoadStatus title="OAuth clients" result={result} />;
  const { items } = result.data;
  return (
    <>
      <h1>OAuth clients</h1>
      <p className="muted">
        Machine-to-machine clients of the authorization server. Create and rotate them with the API or `tessera oauth clients`.
      </p>
      {items.length === 0 ? (
        <p className="empty">No OAuth clients yet.</p>
      ) : (
        <table>
          <TableHead columns={['Client', 'Name', 'Grants', 'Scopes', 'Created']} />
          <tbody>
            {items.map((c, i) => (
              <tr key={c.clientId ?? c.id ?? i}>
                <td className="mono">{c.clientId ?? c.id}</td>
                <td>{c.name ?? '—'}</td>
                <td>{(c.grantTypes ?? []).join(', ')}</td>
                <td>{(c.scopes ?? []).join(' ')}</td>
                <td>{when(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
