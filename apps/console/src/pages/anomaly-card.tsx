import type { Anomaly } from '@tessera/api';
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { api } from '../api.js';
import { when } from '../format.js';
import { kindLabel } from '../monitoring-names.js';
import type { Notify } from '../page-props.js';

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The finding's sentence with the ids it names (a key's, a user's) replaced by their names. */
export function namedSentence(a: Anomaly): string {
  let s = a.explanation;
  for (const [id, name] of Object.entries(a.names)) if (name) s = s.replaceAll(id, name);
  return s;
}

/** Findings about a network a key was used from: resolving one as benign teaches the key that network. */
const NETWORK_KINDS = new Set(['new_network', 'new_country', 'impossible_travel']);

/**
 * One finding: what was seen and the evidence behind it, with acknowledge and resolve for those
 * who may. After a change the card shows the server's answer and its heading takes the focus
 * (the button that was pressed is gone).
 */
export function AnomalyCard({
  anomaly: a,
  canManage,
  canOpenKey,
  notify,
  onChanged,
}: {
  anomaly: Anomaly;
  canManage: boolean;
  canOpenKey: boolean;
  notify: Notify;
  /** After a change: the finding as the server now has it, and what to tell the person. */
  onChanged(a: Anomaly, message: string): void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const acted = useRef(false);
  useEffect(() => {
    if (acted.current) heading.current?.focus();
  }, [a.status]);

  const act = (verb: 'acknowledge' | 'resolve', body: unknown, message: string) =>
    api<Anomaly>('POST', `/v1/anomalies/${a.id}/${verb}`, body).then(
      (next) => {
        acted.current = true;
        onChanged(next, message);
      },
      (err: Error) => notify(err.message, 'error'),
    );
  const network = a.keyId !== null && NETWORK_KINDS.has(a.kind) && typeof a.details.network === 'string' ? a.details.network : null;
  const resolve = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const benign = (e.currentTarget.elements.namedItem('benign') as HTMLInputElement | null)?.checked === true;
    void act('resolve', benign ? { benign } : {}, benign ? `Resolved as benign: ${network} is learned as the key's own.` : 'Resolved.');
  };
  const attr = (label: string, value: ReactNode) =>
    value === null || value === undefined ? [] : [<dt key={`${label}-t`}>{label}</dt>, <dd key={`${label}-d`}>{value}</dd>];
  const titleId = `an-${a.id}`;
  /** An id by its name where the server knows one (the id stays in the tooltip). */
  const named = (id: string) => a.names[id] ?? id;

  return (
    <article className={`card anomaly ${a.severity}`} aria-labelledby={titleId} data-anomaly-id={a.id}>
      <h2 id={titleId} tabIndex={-1} ref={heading}>
        {kindLabel(a.kind)} <span className={`badge ${a.severity}`}>{a.severity}</span>{' '}
        <span className={`badge ${a.status}`} data-testid="anomaly-status">
          {a.status}
        </span>
      </h2>
      <p className="explanation">{namedSentence(a)}</p>
      <dl className="attrs">
        {a.subject !== a.keyId &&
          attr('Subject', a.names[a.subject] !== undefined ? <span title={a.subject}>{named(a.subject)}</span> : <code>{a.subject}</code>)}
        {a.keyId !== null &&
          attr(
            'Key',
            canOpenKey && a.keyspaceId !== null ? (
              <a href={`#/key?id=${encodeURIComponent(a.keyId)}`} title={a.keyId}>
                {named(a.keyId)}
              </a>
            ) : (
              <code title={a.keyId}>{named(a.keyId)}</code>
            ),
          )}
        {attr('Detected', when(a.detectedAt))}
        {attr('First event', when(a.firstEventAt))}
        {attr('Seen', a.count === 1 ? 'once' : `${a.count} times, the last ${when(a.lastSeenAt)}`)}
        {a.response && attr('Response', `the key was suspended (${a.response.suspensionId})`)}
        {a.acknowledgedAt !== null &&
          attr('Acknowledged', `${when(a.acknowledgedAt)} by ${a.acknowledgedBy === null ? 'unknown' : named(a.acknowledgedBy)}`)}
        {a.resolvedAt !== null && attr('Resolved', `${when(a.resolvedAt)} by ${a.resolvedBy === null ? 'unknown' : named(a.resolvedBy)}`)}
      </dl>
      {Object.keys(a.details).length > 0 && (
        <>
          <h3>Evidence</h3>
          <dl className="attrs evidence">{Object.entries(a.details).flatMap(([k, v]) => attr(k, <code>{shown(v)}</code>))}</dl>
        </>
      )}
      {canManage && a.status !== 'resolved' && (
        <div className="actions">
          {a.status === 'open' && (
            <button type="button" onClick={() => void act('acknowledge', undefined, 'Acknowledged: others see that someone is on it.')}>
              Acknowledge
            </button>
          )}
          <form className="inline" onSubmit={resolve} aria-label={`Resolve ${kindLabel(a.kind)}`}>
            {network !== null && (
              <div className="check">
                <input type="checkbox" name="benign" id={`${titleId}-benign`} />
                <label htmlFor={`${titleId}-benign`}>{`Benign: ${network} is this key's own network`}</label>
              </div>
            )}
            <button type="submit" className="primary">
              Resolve
            </button>
          </form>
        </div>
      )}
    </article>
  );
}
