import { useState } from 'react';
import { api, can, type Answer, type SessionInfo } from '../api.js';
import type { Notify } from '../page-props.js';
import type { Key, Keyspace } from './key-model.js';
import { keysCsv } from './keys-csv.js';

/**
 * What acts on the whole listing: export every key the filters find as CSV (all pages, not only
 * those loaded), and, when the listing is one owner's, revoke every live key of that owner.
 */
export function KeyBulkActions({
  query,
  owner,
  keyspaces,
  session,
  notify,
  onRevoked,
}: {
  /** The listing's filters as `GET /v1/keys` takes them, without limit or cursor. */
  query: URLSearchParams;
  owner: string;
  keyspaces: Keyspace[];
  session: SessionInfo;
  notify: Notify;
  onRevoked(): void;
}) {
  const [busy, setBusy] = useState(false);

  const exportCsv = async () => {
    setBusy(true);
    try {
      const keys: Key[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams(query);
        q.set('limit', '1000');
        if (cursor !== null) q.set('cursor', cursor);
        const page: Answer<'GET /v1/keys'> = await api<Answer<'GET /v1/keys'>>('GET', `/v1/keys?${q}`);
        keys.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([keysCsv(keys, keyspaces)], { type: 'text/csv;charset=utf-8' }));
      link.download = `tessera-keys-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      notify(`Exported ${keys.length} ${keys.length === 1 ? 'key' : 'keys'} as CSV.`);
    } catch (err) {
      notify((err as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const revokeOwner = () => {
    const sure = window.confirm(
      `Revoke every live key of ${owner}, in every keyspace? They stop working at once, everywhere, and cannot be restored.`,
    );
    if (!sure) return;
    api<Answer<'POST /v1/keys/revoke-by-owner'>>('POST', '/v1/keys/revoke-by-owner', { ownerId: owner }).then(
      (r) => {
        notify(r.revoked === 0 ? `${owner} had no live keys.` : `Revoked ${r.revoked} ${r.revoked === 1 ? 'key' : 'keys'} of ${owner}.`);
        onRevoked();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <>
      <button type="button" onClick={() => void exportCsv()} disabled={busy} aria-busy={busy}>
        {busy ? 'Exporting…' : 'Export as CSV'}
      </button>
      {owner !== '' && can(session, 'keys:revoke') && (
        <button type="button" className="danger" onClick={revokeOwner}>
          {`Revoke every key of ${owner}`}
        </button>
      )}
    </>
  );
}

/**
 * "Revoke selected": after a confirmation that names how many, revokes each key chosen in the
 * table, one call each, and says how many were revoked (and why any was not).
 */
export function RevokeSelected({ keyIds, notify, onDone }: { keyIds: string[]; notify: Notify; onDone(): void }) {
  const [busy, setBusy] = useState(false);
  const n = keyIds.length;
  const revoke = async () => {
    const what = n === 1 ? 'the selected key' : `the ${n} selected keys`;
    if (!window.confirm(`Revoke ${what}? ${n === 1 ? 'It stops' : 'They stop'} working at once, everywhere, and cannot be restored.`))
      return;
    setBusy(true);
    const failed: string[] = [];
    for (const keyId of keyIds)
      await api('POST', `/v1/keys/${keyId}/revoke`, { reason: 'revoked with others in the console' }).catch((err: Error) =>
        failed.push(`${keyId}: ${err.message}`),
      );
    setBusy(false);
    const done = n - failed.length;
    if (failed.length === 0) notify(`Revoked ${done} ${done === 1 ? 'key' : 'keys'}.`);
    else notify(`Revoked ${done} of ${n} keys; not revoked: ${failed.join('; ')}`, 'error');
    onDone();
  };
  return (
    <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
      {`Revoke selected (${n})`}
    </button>
  );
}
