import { ago, when } from '../format.js';
import type { Key, Keyspace, Suspension } from './key-model.js';
import { StateBadge } from './state-badge.js';
import { TableScroll } from '../table-scroll.js';
import type { Pages } from '../use-pages.js';

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
  selection,
}: {
  listing: Pages<Key>;
  filtered: boolean;
  /** Given when the listing spans keyspaces: each key then says which one it is in. */
  keyspaces?: Keyspace[] | undefined;
  suspensions: Map<string, Suspension>;
  canCreate: boolean;
  onOpen(keyId: string): void;
  onMore(cursor: string): void;
  /** With it, each key that is not revoked has a checkbox, and the header one selects every such key shown. */
  selection?: { selected: ReadonlySet<string>; set(keyIds: string[], on: boolean): void } | undefined;
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
  const { items: keys, next } = listing;
  const selectable = keys.filter((k) => k.revokedAt === null).map((k) => k.keyId);
  const all = selectable.length > 0 && selectable.every((id) => selection?.selected.has(id));
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
          <thead>
            <tr>
              {selection && (
                <th scope="col" className="select">
                  <input
                    type="checkbox"
                    aria-label="Select every key on this page"
                    checked={all}
                    disabled={selectable.length === 0}
                    onChange={(e) => selection.set(selectable, e.target.checked)}
                  />
                </th>
              )}
              {['Name', ...(keyspaces ? ['Keyspace'] : []), 'Key', 'Owner', 'State', 'Created', 'Last used', 'Uses'].map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.keyId} data-key-id={k.keyId}>
                {selection && (
                  <td className="select">
                    {k.revokedAt === null && (
                      <input
                        type="checkbox"
                        aria-label={`Select ${k.name ?? k.keyId}`}
                        checked={selection.selected.has(k.keyId)}
                        onChange={(e) => selection.set([k.keyId], e.target.checked)}
                      />
                    )}
                  </td>
                )}
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
