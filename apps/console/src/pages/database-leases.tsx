import { useState } from 'react';
import { api, errorText, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field } from '../field.js';
import { when } from '../format.js';
import { LoadedList } from '../load-status.js';
import { Options } from '../options.js';
import type { Notify } from '../page-props.js';
import { useLoad } from '../use-load.js';

type Lease = Answer<'GET /v1/databases/leases'>['items'][number];
type Which = Lease['state'] | 'all';

const BADGES: Record<Lease['state'], string> = { active: 'active', revoking: 'due', revoked: 'revoked' };
const REASONS: Record<NonNullable<Lease['revokeReason']>, string> = {
  expired: 'expired',
  requested: 'revoked by hand',
  failed: 'its creation failed',
};

/** One lease's state in words: revoking says why it is still going on, revoked says why it ended. */
function LeaseState({ lease: l }: { lease: Lease }) {
  return (
    <>
      <span className={`badge ${BADGES[l.state]}`}>{l.state}</span>
      {l.state === 'revoking' && l.lastError !== null && (
        <span className="small">
          {' '}
          {`Attempt ${l.attempts} failed: ${l.lastError}`}
          {l.nextAttemptAt && `; next try ${when(l.nextAttemptAt)}`}
        </span>
      )}
      {l.state === 'revoked' && (
        <span className="small muted">{` ${when(l.revokedAt)}${l.revokeReason ? `, ${REASONS[l.revokeReason]}` : ''}`}</span>
      )}
    </>
  );
}

/**
 * The credentials handed out (`GET /v1/databases/leases`), newest first: each login (never its
 * password), who it was issued to, its expiry and revocation state, with renew and revoke for the open ones.
 */
export function DatabaseLeases({ version, notify }: { version: number; notify: Notify }) {
  const [which, setWhich] = useState<Which>('all');
  const [result, reload] = useLoad(
    () => api<Answer<'GET /v1/databases/leases'>>('GET', `/v1/databases/leases?limit=100${which === 'all' ? '' : `&state=${which}`}`),
    [which, version],
  );
  const act = (l: Lease, what: 'renew' | 'revoke') => {
    if (what === 'revoke' && !window.confirm(`Revoke the lease of ${l.login}? Its login is dropped and its open sessions end now.`)) return;
    api<Lease>('POST', `/v1/databases/leases/${l.leaseId}/${what}`, what === 'renew' ? {} : undefined).then(
      (after) => {
        if (what === 'renew') notify(`Renewed: ${after.login} now works until ${when(after.expiresAt)}.`);
        else if (after.state === 'revoked') notify(`Revoked: ${after.login} is dropped and can no longer log in.`);
        else notify(`${after.login} could not be dropped yet (${after.lastError ?? 'the target failed'}); Tessera keeps trying.`, 'error');
        reload();
      },
      (err: unknown) => notify(errorText(err), 'error'),
    );
  };
  return (
    <section aria-labelledby="db-leases">
      <h2 id="db-leases">Leases</h2>
      <div className="filters">
        <Field label="State">
          <select value={which} onChange={(e) => setWhich(e.target.value as Which)}>
            <Options values={['all', 'active', 'revoking', 'revoked'] as const} label={(s) => (s === 'all' ? 'any state' : s)} />
          </select>
        </Field>
      </div>
      <LoadedList result={result} failed="The leases could not load" empty={`No leases${which === 'all' ? ' yet' : ' in this state'}.`}>
        {({ items }) => (
          <DataTable label="Leases" columns={['Login and lease', 'Role', 'Issued to', 'State', 'Issued', 'Expires']} actions>
            {items.map((l) => (
              <tr key={l.leaseId} data-lease-id={l.leaseId}>
                <td>
                  <span className="mono">{l.login}</span>
                  <br />
                  <span className="mono small muted">{l.leaseId}</span>
                </td>
                <td>{l.role}</td>
                <td className="mono small" data-testid="lease-issued-to">
                  {l.issuedTo}
                </td>
                <td className="lease-state">
                  <LeaseState lease={l} />
                </td>
                <td className="nowrap">{when(l.issuedAt)}</td>
                <td className="nowrap">
                  {when(l.expiresAt)}
                  {l.state === 'active' && <span className="small muted"> at most {when(l.maxExpiresAt)}</span>}
                </td>
                <td>
                  {l.state !== 'revoked' && (
                    <div className="row">
                      {l.state === 'active' && (
                        <button type="button" aria-label={`Renew the lease of ${l.login}`} onClick={() => act(l, 'renew')}>
                          Renew
                        </button>
                      )}
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke the lease of ${l.login}`}
                        onClick={() => act(l, 'revoke')}
                      >
                        Revoke
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </LoadedList>
    </section>
  );
}
