import { AUDIT_ACTIONS } from '@tessera/api';
import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, can, errorText, type Answer } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import type { PageProps } from '../page-props.js';
import { useLoad } from '../use-load.js';
import { AuditTable, Pager, useAuditPages } from './audit-table.js';

const PAGE = 25;

/** The filters' text fields, each named as its query parameter; the action field suggests the known actions. */
const FILTERS: readonly { name: string; label: string; placeholder: string; list?: string; maxLength?: number }[] = [
  { name: 'action', label: 'Action', placeholder: 'e.g. key.revoked', list: 'audit-actions' },
  { name: 'actor', label: 'Actor', placeholder: "an email, or a root key's name", maxLength: 256 },
  { name: 'target', label: 'Target', placeholder: 'an id: key_…, cli_…', maxLength: 256 },
];

/**
 * The audit log: whether its chain holds, then its entries a page at a time, filtered on the
 * server; the whole log as JSON lines with its signed checkpoints, and (`audit:checkpoint`) a
 * signed checkpoint made now.
 */
export function AuditPage({ session, notify }: PageProps) {
  const [chain] = useLoad(() => api<Answer<'GET /v1/audit/verify'>>('GET', '/v1/audit/verify'), []);
  const [params] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? ''));
  const [query, setQuery] = useState(() => {
    const q = new URLSearchParams();
    for (const f of ['action', 'actor', 'target']) if (params.get(f)) q.set(f, params.get(f)!);
    return q.toString();
  });
  const pages = useAuditPages(query, PAGE);
  const form = useRef<HTMLFormElement>(null);

  const checkpoint = () =>
    api<Answer<'POST /v1/audit/checkpoints'>>('POST', '/v1/audit/checkpoints').then(
      (c) =>
        notify(
          c === undefined
            ? 'No entry since the last checkpoint: nothing new to sign.'
            : `Signed a checkpoint at entry #${c.seq}: the log up to it can no longer be changed unnoticed.`,
        ),
      (err: unknown) => notify(errorText(err), 'error'),
    );

  const filter = (e: FormEvent) => {
    e.preventDefault();
    const v = formValues(form.current!);
    const q = new URLSearchParams();
    for (const f of ['action', 'actor', 'target']) if (v[f]?.trim()) q.set(f, v[f].trim());
    if (q.toString() === query) pages.reload();
    else setQuery(q.toString());
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
      <div className="toolbar">
        <a className="button" href="/v1/audit/export?checkpoints=true" download="tessera-audit.jsonl">
          Export the log (JSON lines)
        </a>
        {can(session, 'audit:checkpoint') && (
          <button type="button" onClick={() => void checkpoint()}>
            Sign a checkpoint now
          </button>
        )}
      </div>
      <form className="filters" role="search" aria-label="Filter the audit log" ref={form} onSubmit={filter}>
        {FILTERS.map((f) => (
          <Field key={f.name} label={f.label}>
            <input
              name={f.name}
              placeholder={f.placeholder}
              list={f.list}
              maxLength={f.maxLength}
              spellCheck={false}
              defaultValue={params.get(f.name) ?? ''}
            />
          </Field>
        ))}
        <button type="submit">Filter</button>
      </form>
      <datalist id="audit-actions">
        {AUDIT_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <AuditTable rows={pages.rows} label="Audit entries" />
      <Pager pages={pages} noun="entries" />
    </>
  );
}
