import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field } from '../field.js';
import { when, type KeyState } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { Options } from '../options.js';
import type { PageProps } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { useLoad } from '../use-load.js';
import { usePages } from '../use-pages.js';
import { CreateKeyForm, KeyspaceForm } from './key-forms.js';
import { KeyDetail, type KeyUsage } from './key-detail.js';
import { keyReveal, type Key, type Keyspace, type ShownKey, type Suspension } from './key-model.js';
import { KeyspaceSelect } from './keyspace-select.js';
import { KeyBulkActions, RevokeSelected } from './key-bulk-actions.js';
import { KeyTable } from './key-table.js';

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
  return <KeysBrowser keyspaces={keyspaces} onKeyspaceCreated={reload} {...props} />;
}

/** The filters the listing was asked for: the server narrows the keys by them, page after page. */
interface Filters {
  owner: string;
  q: string;
  state: KeyState | 'all';
}

function KeysBrowser({ keyspaces, session, notify, onKeyspaceCreated }: PageProps & { keyspaces: Keyspace[]; onKeyspaceCreated(): void }) {
  const canCreate = can(session, 'keys:create');
  const [params] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? ''));
  // '' is every keyspace: the search then looks across them all.
  const [keyspaceId, setKeyspaceId] = useState(() =>
    params.get('keyspace') === 'all' ? '' : (keyspaces.find((ks) => ks.id === params.get('keyspace'))?.id ?? keyspaces[0]!.id),
  );
  const [ownerInput, setOwnerInput] = useState(params.get('owner') ?? '');
  const [searchInput, setSearchInput] = useState(params.get('q') ?? '');
  const [filters, setFilters] = useState<Filters>(() => ({ owner: ownerInput.trim(), q: searchInput.trim(), state: 'all' }));
  const [creating, setCreating] = useState(false);
  const [addingKeyspace, setAddingKeyspace] = useState(false);
  const [shown, setShown] = useState<(ShownKey & { note?: string }) | null>(null);
  const [detail, setDetail] = useState<{ key: Key; usage: KeyUsage; focus: boolean } | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const select = (keyIds: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of keyIds)
        if (on) next.add(id);
        else next.delete(id);
      return next;
    });
  const [held, reloadHeld] = useLoad(
    () =>
      can(session, 'anomalies:read')
        ? api<Answer<'GET /v1/suspensions'>>('GET', '/v1/suspensions?active=true')
        : Promise.resolve({ items: [] as Suspension[] }),
    [],
  );
  const suspensions = new Map(held.state === 'ready' ? held.data.items.map((h) => [h.keyId, h]) : []);

  /** The listing's filters as `GET /v1/keys` takes them. */
  const query = useMemo(() => {
    const q = new URLSearchParams();
    if (keyspaceId) q.set('keyspaceId', keyspaceId);
    if (filters.owner) q.set('ownerId', filters.owner);
    if (filters.q) q.set('q', filters.q);
    if (filters.state !== 'all') q.set('state', filters.state);
    return q;
  }, [keyspaceId, filters]);

  const [listing, load] = usePages<Key>('/v1/keys', 100, query);
  // A new listing starts with nothing selected.
  useEffect(() => setSelected(new Set()), [query]);

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
  const refresh = (keyId: string, focus: boolean) => {
    reloadHeld();
    void load().then(() => showKey(keyId, focus));
  };

  const applyFilters = (e: FormEvent) => {
    e.preventDefault();
    const next = { ...filters, owner: ownerInput.trim(), q: searchInput.trim() };
    if (next.owner === filters.owner && next.q === filters.q) void load();
    else setFilters(next);
  };
  const filtered = filters.owner !== '' || filters.q !== '' || filters.state !== 'all';

  return (
    <>
      <h1>Keys</h1>
      <RevealSlot shown={shown && keyReveal(shown)} noun="key" notify={notify} onHide={() => setShown(null)} />
      <form className="filters" role="search" aria-label="Filter keys" onSubmit={applyFilters}>
        <Field label="Keyspace">
          <KeyspaceSelect
            keyspaces={keyspaces}
            name="keyspace"
            value={keyspaceId}
            onChange={(e) => setKeyspaceId(e.target.value)}
            any={keyspaces.length > 1 ? 'all keyspaces' : undefined}
          />
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
          <select
            name="state"
            value={filters.state}
            // A new state applies the whole form, as Apply does.
            onChange={(e) => setFilters({ owner: ownerInput.trim(), q: searchInput.trim(), state: e.target.value as Filters['state'] })}
          >
            <Options values={['all', 'active', 'disabled', 'revoked', 'expired'] as const} label={(s) => (s === 'all' ? 'any state' : s)} />
          </select>
        </Field>
        <Field label="Search">
          <input
            name="q"
            type="search"
            placeholder="name, id, owner or start of the key"
            maxLength={256}
            spellCheck={false}
            value={searchInput}
            onChange={(e) => setSearchInput(e.target.value)}
          />
        </Field>
        <button type="submit">Apply</button>
      </form>
      <div className="toolbar">
        {canCreate && (
          <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            Create a key
          </button>
        )}
        {can(session, 'keyspaces:manage') && (
          <button type="button" aria-expanded={addingKeyspace} onClick={() => setAddingKeyspace(!addingKeyspace)}>
            New keyspace
          </button>
        )}
        {can(session, 'keys:revoke') && selected.size > 0 && (
          <RevokeSelected
            keyIds={[...selected]}
            notify={notify}
            onDone={() => {
              setSelected(new Set());
              setDetail(null);
              void load();
            }}
          />
        )}
        <KeyBulkActions
          query={query}
          owner={filters.owner}
          keyspaces={keyspaces}
          session={session}
          notify={notify}
          onRevoked={() => {
            setDetail(null);
            void load();
          }}
        />
      </div>
      {addingKeyspace && (
        <KeyspaceForm
          notify={notify}
          onCreated={() => {
            setAddingKeyspace(false);
            notify('The keyspace is created.');
            onKeyspaceCreated();
          }}
        />
      )}
      {creating && (
        <CreateKeyForm
          keyspaceId={keyspaceId || keyspaces[0]!.id}
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
          filtered={filtered}
          keyspaces={keyspaceId ? undefined : keyspaces}
          suspensions={suspensions}
          canCreate={canCreate}
          onOpen={(keyId) => void showKey(keyId)}
          onMore={(cursor) => void load(cursor)}
          selection={can(session, 'keys:revoke') ? { selected, set: select } : undefined}
        />
      </div>
      <div className="detail-slot">
        {detail && (
          <KeyDetail
            keyInfo={detail.key}
            usage={detail.usage}
            focus={detail.focus}
            suspension={suspensions.get(detail.key.keyId)}
            session={session}
            notify={notify}
            onChanged={(focus) => refresh(detail.key.keyId, focus)}
            onOpen={(keyId) => void showKey(keyId)}
            onRolled={(r, old) => {
              // The old key's panel closes: the new key is shown once above, and the table says
              // which of the two is in its grace period, until when.
              setDetail(null);
              setShown({
                key: r.key,
                title: `Key rolled: the new key of ${old.name ?? old.keyId}`,
                note: `The old key (${old.start}) keeps working until ${when(old.expiresAt)}, then expires.`,
              });
              void load();
            }}
            onClose={() => setDetail(null)}
            onDeleted={() => {
              setDetail(null);
              void load();
            }}
          />
        )}
      </div>
    </>
  );
}
