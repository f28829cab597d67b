import { ago, when } from '../format.js';
import { TableHead } from '../table-head.js';
import type { Key, Keyspace, Suspension } from './key-model.js';
import { StateBadge } from './state-badge.js';
import { TableScroll } from '../table-scroll.js';

/** A keys listing as far as it has loaded: the keys so far, and the cursor to the next page. */
export type Listing = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; keys: Key[]; next: string | null };

/**
 * The keys the server found for the filters, with "More keys" while there are more. Long names
 * and owner ids are cut short (the whole text in their tooltip), so one does not squeeze the table.
 */
export function KeyTable({
  listing,
  filtered,
  keyspaces,
  suspensions,
  canCreate,
  onOpen,
  onMore,
}: {
  listing: Listing;
  filtered: boolean;
  /** Given when the listing spans keyspaces: each key then says which one it is in. */
  keyspaces?: Keyspace[] | undefined;
  suspensions: Map<string, Suspension>;
  canCreate: boolean;
  onOpen(keyId: string): void;
  onMore(cursor: string): void;
}) {
  if (listing.state === 'loading')
    return (
      <p className="muted" aria-busy="true">
        Loading…
      </p>
    );
  if (listing.state === 'error')
    return (
      <p className="error" role="alert">
        {listing.message}
      </p>
    );
  const { keys, next } = listing;
  if (keys.length === 0)
    return filtered ? (
      <p className="empty">No keys match these filters.</p>
    ) : (
      <p className="empty">
        {`No keys in ${keyspaces ? 'any' : 'this'} keyspace yet.`}
        {canCreate && ' Create one with the button above.'}
      </p>
    );
  return (
    <>
      <TableScroll label="Keys">
        <table className="keys">
          <caption className="sr-only">{`${keys.length} keys${next ? ', more to load' : ''}`}</caption>
          <TableHead columns={['Name', ...(keyspaces ? ['Keyspace'] : []), 'Key', 'Owner', 'State', 'Created', 'Last used', 'Uses']} />
          <tbody>
            {keys.map((k) => (
              <tr key={k.keyId} data-key-id={k.keyId}>
                <td>
                  <button type="button" className="link truncate" title={k.name ?? k.keyId} onClick={() => onOpen(k.keyId)}>
                    {k.name ?? k.keyId}
                  </button>
                </td>
                {keyspaces && <td>{keyspaces.find((ks) => ks.id === k.keyspaceId)?.name ?? k.keyspaceId}</td>}
                <td className="mono nowrap">{k.start}</td>
                <td>
                  {k.ownerId === null ? (
                    '—'
                  ) : (
                    <span className="truncate" title={k.ownerId}>
                      {k.ownerId}
                    </span>
                  )}
                </td>
                <td>
                  <StateBadge keyInfo={k} suspension={suspensions.get(k.keyId)} />
                </td>
                <td className="nowrap">{when(k.createdAt)}</td>
                <td className="nowrap">{ago(k.lastUsedAt)}</td>
                <td>{k.usageCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {next && (
        <button type="button" onClick={() => onMore(next)}>
          More keys
        </button>
      )}
    </>
  );
}
