import { AUDIT_ACTIONS } from '@tessera/api';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type Answer } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { TableScroll } from '../table-scroll.js';

/** One entry as `GET /v1/audit` lists it. */
type Entry = Answer<'GET /v1/audit'>['items'][number];

type Rows = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Entry[]; nextCursor: string | null };

export function AuditPage() {
  const [chain] = useLoad(() => api<Answer<'GET /v1/audit/verify'>>('GET', '/v1/audit/verify'), []);
  const [rows, setRows] = useState<Rows>({ state: 'loading' });
  const form = useRef<HTMLFormElement>(null);
  const run = useRef(0);

  const load = useCallback(async (cursor?: string) => {
    const v = form.current ? formValues(form.current) : {};
    const q = new URLSearchParams({ limit: '50' });
    if (v.action) q.set('action', v.action);
    if (v.actor) q.set('actor', v.actor);
    if (cursor) q.set('cursor', cursor);
    const mine = ++run.current;
    try {
      const page = await api<Answer<'GET /v1/audit'>>('GET', `/v1/audit?${q}`);
      if (mine !== run.current) return;
      setRows((prev) => ({
        state: 'ready',
        items: cursor && prev.state === 'ready' ? prev.items.concat(page.items) : page.items,
        nextCursor: page.nextCursor,
      }));
    } catch (err) {
      if (mine === run.current) setRows({ state: 'error', message: (err as Error).message });
    }
  }, []);
  useEffect(() => void load(), [load]);

  const filter = (e: FormEvent) => {
    e.preventDefault();
    void load();
  };

  return (
    <>
      <h1>Audit log</h1>
      <div className="chain" role="status">
        {chain.state === 'loading' ? (
          'Checking the chain…'
        ) : chain.state === 'error' ? (
          chain.error instanceof ApiError && chain.error.status === 401 ? null : (
            <p className="error">The chain could not be checked: {chain.error.message}</p>
          )
        ) : chain.data.ok ? (
          <p className="ok">
            <strong>Chain verified: </strong>
            {`all ${chain.data.checked} entries link up and match their hashes.`}
          </p>
        ) : (
          <p className="bad">
            <strong>Chain BROKEN: </strong>
            {`entry #${chain.data.firstBadSeq} (${chain.data.reason}); ${chain.data.checked} entries before it verified.`}
          </p>
        )}
      </div>
      <form className="filters" role="search" aria-label="Filter the audit log" ref={form} onSubmit={filter}>
        <Field label="Action">
          <input name="action" placeholder="e.g. key.revoked" list="audit-actions" spellCheck={false} />
        </Field>
        <Field label="Actor">
          <input name="actor" placeholder="an email, or a root key's name" maxLength={256} spellCheck={false} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <datalist id="audit-actions">
        {AUDIT_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <TableScroll label="Audit entries">
        <table className="audit">
          <caption className="sr-only">Audit entries, newest first</caption>
          <TableHead columns={['#', 'Time', 'Actor', 'Action', 'Target', 'Source', 'Details']} />
          <tbody>
            {rows.state === 'loading' ? (
              <tr>
                <td colSpan={7} className="muted" aria-busy="true">
                  Loading…
                </td>
              </tr>
            ) : rows.state === 'error' ? (
              <tr>
                <td colSpan={7} className="error">
                  {rows.message}
                </td>
              </tr>
            ) : rows.items.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  No entries match these filters.
                </td>
              </tr>
            ) : (
              rows.items.map((e) => <EntryRow key={e.seq} entry={e} />)
            )}
          </tbody>
        </table>
      </TableScroll>
      {rows.state === 'ready' && rows.nextCursor && (
        <div>
          <button type="button" onClick={() => void load(rows.nextCursor!)}>
            Older entries
          </button>
        </div>
      )}
    </>
  );
}

function EntryRow({ entry: e }: { entry: Entry }) {
  const details = Object.entries(e.details)
    .map(([k, val]) => `${k}: ${typeof val === 'string' ? val : JSON.stringify(val)}`)
    .join('; ');
  return (
    <tr>
      <td>{e.seq}</td>
      <td>{when(e.ts)}</td>
      <td title={e.actor}>{e.actorName ?? <span className="mono">{e.actor}</span>}</td>
      <td>
        <code>{e.action}</code>
      </td>
      <td className="mono">{e.target ?? '—'}</td>
      <td>{e.ip ?? '—'}</td>
      <td className="details">{details || '—'}</td>
    </tr>
  );
}
