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
 * table. The API has no call for a set of keys (only every key of one owner), so it is one call
 * per key, four at a time, the progress shown as it goes; at the end, how many were revoked and,
 * for any that was not, which and why.
 */
export function RevokeSelected({ keyIds, notify, onDone }: { keyIds: string[]; notify: Notify; onDone(): void }) {
  const [done, setDone] = useState<number | null>(null);
  const n = keyIds.length;
  const revoke = async () => {
    const what = n === 1 ? 'the selected key' : `the ${n} selected keys`;
    if (!window.confirm(`Revoke ${what}? ${n === 1 ? 'It stops' : 'They stop'} working at once, everywhere, and cannot be restored.`))
      return;
    setDone(0);
    const failed: string[] = [];
    const queue = [...keyIds];
    let finished = 0;
    const worker = async () => {
      for (let keyId = queue.shift(); keyId !== undefined; keyId = queue.shift()) {
        await api('POST', `/v1/keys/${keyId}/revoke`, { reason: 'revoked with others in the console' }).catch((err: Error) =>
          failed.push(`${keyId} (${err.message})`),
        );
        setDone(++finished);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, n) }, worker));
    setDone(null);
    const revoked = n - failed.length;
    if (failed.length === 0) notify(`Revoked ${revoked} ${revoked === 1 ? 'key' : 'keys'}.`);
    else notify(`Revoked ${revoked} of ${n} keys. Not revoked: ${failed.join('; ')}.`, 'error');
    onDone();
  };
  return (
    <>
      <button type="button" className="danger" disabled={done !== null} aria-busy={done !== null} onClick={() => void revoke()}>
        {done === null ? `Revoke selected (${n})` : `Revoking… ${done} of ${n}`}
      </button>
      {done !== null && (
        <progress className="bulk-progress" max={n} value={done} aria-label="Keys revoked so far">
          {`${done} of ${n}`}
        </progress>
      )}
    </>
  );
}
