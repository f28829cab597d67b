import type { HygieneReport, KeyBrief, OverPrivilegedKey } from '@tessera/api';
import type { ReactNode } from 'react';
import { DataTable } from '../data-table.js';
import { ago, when } from '../format.js';
import type { Keyspace } from './key-model.js';

interface Column<T> {
  title: string;
  cell(k: T): ReactNode;
}

/** The report's five findings, each a table of keys that link to the key's page. */
/** An owner id, cut short when long (the whole id in its tooltip), as the keys table shows it. */
const owner = (id: string | null) =>
  id === null ? (
    '—'
  ) : (
    <span className="truncate" title={id}>
      {id}
    </span>
  );

export function HygieneFindings({
  report: r,
  keyspace,
  days,
}: {
  report: HygieneReport;
  keyspace: Keyspace;
  days: { unused: number; expiring: number; privilege: number };
}) {
  const keyLink: Column<KeyBrief> = {
    title: 'Key',
    cell: (k) => <a href={`#/keys?keyspace=${encodeURIComponent(keyspace.id)}&key=${encodeURIComponent(k.keyId)}`}>{k.name ?? k.keyId}</a>,
  };
  const brief: Column<KeyBrief>[] = [
    keyLink,
    { title: 'Starts with', cell: (k) => <code>{k.start}</code> },
    { title: 'Owner', cell: (k) => owner(k.ownerId) },
    { title: 'Created', cell: (k) => when(k.createdAt) },
    { title: 'Last used', cell: (k) => ago(k.lastUsedAt) },
    { title: 'Expires', cell: (k) => (k.expiresAt ? when(k.expiresAt) : 'never') },
  ];
  const scopes = (list: string[]) => <code>{list.join(' ') || '—'}</code>;
  const privilege: Column<OverPrivilegedKey>[] = [
    keyLink,
    { title: 'Owner', cell: (k) => owner(k.ownerId) },
    { title: 'Granted', cell: (k) => scopes(k.granted) },
    { title: 'Exercised', cell: (k) => scopes(k.exercised) },
    { title: 'Suggested', cell: (k) => scopes(k.suggested) },
  ];
  const total = r.neverUsed.length + r.unused.length + r.expiringSoon.length + r.noExpiry.length + r.overPrivileged.length;

  return (
    <>
      <p className="muted" data-testid="hygiene-summary">
        {`${r.liveKeys} live ${r.liveKeys === 1 ? 'key' : 'keys'} in ${keyspace.name}; ${total === 0 ? 'no findings' : `${total} ${total === 1 ? 'finding' : 'findings'}`}. Report made ${when(r.generatedAt)}.`}
      </p>
      <Finding
        id="hy-never"
        title="Never used"
        hint="Live keys no one has presented yet: perhaps never handed out."
        keys={r.neverUsed}
        columns={brief}
      />
      <Finding
        id="hy-unused"
        title={`Unused for ${days.unused} days or more`}
        hint="Keys that were used once but not lately: revoke them, or let the keyspace policy expire them."
        keys={r.unused}
        columns={brief}
      />
      <Finding
        id="hy-expiring"
        title={`Expiring within ${days.expiring} days`}
        hint="Roll these before they stop working."
        keys={r.expiringSoon}
        columns={brief}
      />
      <Finding
        id="hy-no-expiry"
        title="Without expiry"
        hint="Keys that work until someone revokes them: give them an expiry, or roll them on a schedule."
        keys={r.noExpiry}
        columns={brief}
      />
      <Finding
        id="hy-privilege"
        title="Over-privileged"
        hint={`Scopes granted but not asked for in the last ${days.privilege} days, with the smaller set that would have served.`}
        keys={r.overPrivileged}
        columns={privilege}
      />
    </>
  );
}

function Finding<T extends KeyBrief>({
  id,
  title,
  hint,
  keys,
  columns,
}: {
  id: string;
  title: string;
  hint: string;
  keys: T[];
  columns: Column<T>[];
}) {
  return (
    <section aria-labelledby={id} className="finding" data-finding={id}>
      <h2 id={id}>
        {title}
        <span className="sr-only">:</span> <span className={keys.length === 0 ? 'count zero' : 'count'}>{keys.length}</span>
      </h2>
      <p className="muted small">{hint}</p>
      {keys.length === 0 ? (
        <p className="empty">None.</p>
      ) : (
        <DataTable label={title} columns={columns.map((c) => c.title)}>
          {keys.map((k) => (
            <tr key={k.keyId} data-key-id={k.keyId}>
              {columns.map((c) => (
                <td key={c.title}>{c.cell(k)}</td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
