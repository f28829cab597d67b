import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field } from '../field.js';
import { ago, keyState, when, type KeyState } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { ShowOnce } from '../show-once.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { CreateKeyForm, KeyspaceForm } from './key-forms.js';
import { KeyDetail, type KeyUsage } from './key-detail.js';
import type { Key, Keyspace, ShownKey } from './key-model.js';
import { KeyspaceSelect } from './keyspace-select.js';
import { StateBadge } from './state-badge.js';

export function KeysPage(props: PageProps) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/keyspaces'>>('GET', '/v1/keyspaces'), []);
  if (result.state !== 'ready') return <LoadStatus title="Keys" result={result} />;
  const keyspaces = result.data.items;
  if (keyspaces.length === 0)
    return (
      <>
        <h1>Keys</h1>
        <p className="empty">There are no keyspaces yet. A keyspace groups keys under one prefix (such as sk_live).</p>
        {can(props.session, 'keyspaces:manage') && <KeyspaceForm notify={props.notify} onCreated={reload} />}
      </>
    );
  return <KeysBrowser keyspaces={keyspaces} {...props} />;
}

type Listing = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; keys: Key[]; next: string | null };

function KeysBrowser({ keyspaces, session, notify }: PageProps & { keyspaces: Keyspace[] }) {
  const canCreate = can(session, 'keys:create');
  const [params] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? ''));
  const [keyspaceId, setKeyspaceId] = useState(() => keyspaces.find((ks) => ks.id === params.get('keyspace'))?.id ?? keyspaces[0]!.id);
  const [ownerInput, setOwnerInput] = useState(params.get('owner') ?? '');
  const [owner, setOwner] = useState(ownerInput.trim());
  const [stateFilter, setStateFilter] = useState<KeyState | 'all'>('all');
  const [search, setSearch] = useState('');
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<ShownKey | null>(null);
  const [detail, setDetail] = useState<{ key: Key; usage: KeyUsage; focus: boolean } | null>(null);
  const run = useRef(0);

  const load = useCallback(
    async (more?: string) => {
      const q = new URLSearchParams({ keyspaceId, limit: '100' });
      if (owner) q.set('ownerId', owner);
      if (more) q.set('cursor', more);
      const mine = ++run.current;
      try {
        const page = await api<Answer<'GET /v1/keys'>>('GET', `/v1/keys?${q}`);
        if (mine !== run.current) return;
        setListing((prev) => ({
          state: 'ready',
          keys: more && prev.state === 'ready' ? prev.keys.concat(page.items) : page.items,
          next: page.nextCursor,
        }));
      } catch (err) {
        if (mine === run.current) setListing({ state: 'error', message: (err as Error).message });
      }
    },
    [keyspaceId, owner],
  );
  useEffect(() => void load(), [load]);

  /** Opens a key's page (or reads it again after a change); `focus` moves focus to its heading. */
  const showKey = async (keyId: string, focus = true) => {
    try {
      const [key, usage] = await Promise.all([
        api<Key>('GET', `/v1/keys/${keyId}`),
        api<KeyUsage>('GET', `/console/api/keys/${keyId}/usage`),
      ]);
      setDetail({ key, usage, focus });
    } catch (err) {
      notify((err as Error).message, 'error');
    }
  };
  // `#/keys?keyspace=…&key=…` (a link from another page, such as Hygiene) opens that key.
  const linked = params.get('key');
  useEffect(() => {
    if (linked) void showKey(linked);
    // Once, when the page opens.
  }, []);
  const refresh = (keyId: string, focus: boolean) => void load().then(() => showKey(keyId, focus));

  const applyFilters = (e: FormEvent) => {
    e.preventDefault();
    const next = ownerInput.trim();
    if (next === owner) void load();
    else setOwner(next);
  };

  return (
    <>
      <h1>Keys</h1>
      <div className="reveal-slot">
        {shown && (
          <ShowOnce
            key={shown.key}
            title={shown.title}
            value={shown.key}
            noun="key"
            note="Tessera keeps only a hash."
            notify={notify}
            onHide={() => setShown(null)}
          />
        )}
      </div>
      <form className="filters" role="search" aria-label="Filter keys" onSubmit={applyFilters}>
        <Field label="Keyspace">
          <KeyspaceSelect keyspaces={keyspaces} name="keyspace" value={keyspaceId} onChange={(e) => setKeyspaceId(e.target.value)} />
        </Field>
        <Field label="Owner">
          <input
            name="owner"
            placeholder="any owner"
            spellCheck={false}
            value={ownerInput}
            onChange={(e) => setOwnerInput(e.target.value)}
          />
        </Field>
        <Field label="State">
          <select name="state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value as KeyState | 'all')}>
            {(['all', 'active', 'disabled', 'revoked', 'expired'] as const).map((s) => (
              <option key={s} value={s}>
                {s === 'all' ? 'any state' : s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Search">
          <input
            name="q"
            type="search"
            placeholder="name, id or start of the key"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </Field>
        <button type="submit">Apply</button>
      </form>
      {canCreate && (
        <div className="toolbar">
          <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            Create a key
          </button>
        </div>
      )}
      {creating && (
        <CreateKeyForm
          keyspaceId={keyspaceId}
          keyspaces={keyspaces}
          onCreated={(created, name) => {
            setCreating(false);
            setShown({ key: created.key, title: `Key ${name ?? created.keyId} created` });
            void load();
          }}
        />
      )}
      <div aria-live="polite">
        <KeyTable
          listing={listing}
          owner={owner}
          stateFilter={stateFilter}
          search={search}
          canCreate={canCreate}
          onOpen={(keyId) => void showKey(keyId)}
          onMore={(cursor) => void load(cursor)}
        />
      </div>
      <div className="detail-slot">
        {detail && (
          <KeyDetail
            keyInfo={detail.key}
            usage={detail.usage}
            focus={detail.focus}
            session={session}
            notify={notify}
            onChanged={(focus) => refresh(detail.key.keyId, focus)}
            onRolled={(r) => {
              setShown({ key: r.key, title: `Key rolled: the new key ${r.keyId}` });
              refresh(detail.key.keyId, false);
            }}
            onClose={() => setDetail(null)}
          />
        )}
      </div>
    </>
  );
}

function KeyTable({
  listing,
  owner,
  stateFilter,
  search,
  canCreate,
  onOpen,
  onMore,
}: {
  listing: Listing;
  owner: string;
  stateFilter: KeyState | 'all';
  search: string;
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
    return (
      <p className="empty">
        No keys in this keyspace{owner ? ' for this owner' : ''} yet.{canCreate && ' Create one with the button above.'}
      </p>
    );
  const term = search.trim().toLowerCase();
  const shown = keys.filter(
    (k) =>
      (stateFilter === 'all' || keyState(k) === stateFilter) &&
      (!term || [k.name, k.keyId, k.start, k.ownerId].some((v) => v?.toLowerCase().includes(term))),
  );
  if (shown.length === 0) return <p className="empty">No keys match these filters.</p>;
  return (
    <>
      <table className="keys">
        <caption className="sr-only">{`${shown.length} keys`}</caption>
        <TableHead columns={['Name', 'Key', 'Owner', 'State', 'Created', 'Last used', 'Uses']} />
        <tbody>
          {shown.map((k) => (
            <tr key={k.keyId} data-key-id={k.keyId}>
              <td>
                <button type="button" className="link" onClick={() => onOpen(k.keyId)}>
                  {k.name ?? k.keyId}
                </button>
              </td>
              <td className="mono">{k.start}</td>
              <td>{k.ownerId ?? '—'}</td>
              <td>
                <StateBadge keyInfo={k} />
              </td>
              <td>{when(k.createdAt)}</td>
              <td>{ago(k.lastUsedAt)}</td>
              <td>{k.usageCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => onMore(next)}>
          More keys
        </button>
      )}
    </>
  );
}
