import { useState } from 'react';
import { api, can, type Answer } from '../api.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { useLoad } from '../use-load.js';
import { DatabaseConnections } from './database-connections.js';
import { DatabaseLeases } from './database-leases.js';
import { DatabaseRoles, type Credential } from './database-roles.js';

/**
 * Dynamic database credentials (docs/dynamic-secrets.md): the target databases, the roles that
 * say what a login may do, a fresh login and password per request (shown once), and the leases
 * that end them.
 */
export function DatabasesPage({ session, notify }: PageProps) {
  const manage = can(session, 'databases:manage');
  const credentials = can(session, 'databases:credentials');
  const [result, reload] = useLoad(
    async (): Promise<[Answer<'GET /v1/databases/connections'>, Answer<'GET /v1/databases/roles'>]> =>
      manage
        ? Promise.all([
            api<Answer<'GET /v1/databases/connections'>>('GET', '/v1/databases/connections'),
            api<Answer<'GET /v1/databases/roles'>>('GET', '/v1/databases/roles'),
          ])
        : [{ items: [] }, { items: [] }],
    [manage],
  );
  const [issued, setIssued] = useState<{ credential: Credential; role: string } | null>(null);
  const [leases, setLeases] = useState(0);
  if (result.state !== 'ready') return <LoadStatus title="Databases" result={result} />;
  const [connections, roles] = result.data;
  const c = issued?.credential;

  return (
    <>
      <h1>Databases</h1>
      <p className="muted">
        Instead of one long-lived database password, a fresh PostgreSQL login per request that lives for a lease: when the lease expires or
        is revoked, Tessera drops the login and ends its sessions.
      </p>
      <RevealSlot
        shown={
          c && {
            title: `Credential of ${issued.role}: log in as ${c.username}`,
            value: c.password,
            note:
              `Tessera keeps no copy. Log in to ${c.database} on ${c.host}:${c.port} as ${c.username}; ` +
              `the lease ${c.lease.leaseId} ends ${when(c.lease.expiresAt)} and the login is dropped then.`,
          }
        }
        noun="password"
        notify={notify}
        onHide={() => setIssued(null)}
      />
      {manage && <DatabaseConnections items={connections.items} notify={notify} onChanged={reload} />}
      {manage && (
        <DatabaseRoles
          items={roles.items}
          connections={connections.items}
          manage={manage}
          credentials={credentials}
          notify={notify}
          onChanged={reload}
          onIssued={(credential, role) => {
            setIssued({ credential, role });
            setLeases((n) => n + 1);
          }}
        />
      )}
      {credentials && <DatabaseLeases version={leases} notify={notify} />}
    </>
  );
}
