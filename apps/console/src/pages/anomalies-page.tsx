import { ANOMALY_KINDS, ANOMALY_STATUSES, SEVERITIES, type Anomaly } from '@tessera/api';
import { LoadStatus } from '../load-status.js';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field } from '../field.js';
import { kindLabel } from '../monitoring-names.js';
import { Options } from '../options.js';
import type { PageProps } from '../page-props.js';
import { useLoad, type Loaded } from '../use-load.js';
import { AnomalyTable } from './anomaly-table.js';

const LIMIT = 200;

/** What the detectors found, newest first: open ones unless the filters say otherwise. */
export function AnomaliesPage({ session, notify }: PageProps) {
  const [params] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? ''));
  const [status, setStatus] = useState(params.get('status') ?? 'open');
  const [kind, setKind] = useState(params.get('kind') ?? '');
  const [severity, setSeverity] = useState(params.get('severity') ?? '');
  // Cards changed here show the server's answer until the list is read again (at once, after each
  // change): one that no longer matches the filters leaves the list, and focus goes to its summary.
  const [changed, setChanged] = useState<Record<string, Anomaly>>({});
  const [left, setLeft] = useState(0);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (!n.delete(id)) n.add(id);
      return n;
    });
  const summary = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (left > 0) summary.current?.focus();
  }, [left]);
  useEffect(() => setChanged({}), [status, kind]);
  const [result, reload] = useLoad(() => {
    const q = new URLSearchParams({ limit: String(LIMIT) });
    if (status) q.set('status', status);
    if (kind) q.set('kind', kind);
    return api<Answer<'GET /v1/anomalies'>>('GET', `/v1/anomalies?${q}`);
  }, [status, kind]);

  const select = (
    label: string,
    value: string,
    set: (v: string) => void,
    options: readonly string[],
    any: string,
    show = (o: string) => o,
  ) => (
    <Field label={label}>
      <select value={value} onChange={(e) => set(e.target.value)}>
        <option value="">{any}</option>
        <Options values={options} label={show} />
      </select>
    </Field>
  );

  return (
    <>
      <h1>Anomalies</h1>
      <p className="muted">
        What the detectors found in key use and console sign-ins, each with the evidence behind it. Acknowledge one to show it is being
        looked at; resolve it when it is dealt with. Times are in UTC.
      </p>
      <form className="filters" role="search" aria-label="Filter anomalies" onSubmit={(e) => e.preventDefault()}>
        {select('State', status, setStatus, ANOMALY_STATUSES, 'any state')}
        {select('Kind', kind, setKind, ANOMALY_KINDS, 'any kind', kindLabel)}
        {select('Severity', severity, setSeverity, SEVERITIES, 'any severity')}
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </form>
      <div aria-live="polite">
        <AnomalyList
          result={result}
          filtered={Boolean(kind || severity)}
          status={status}
          severity={severity}
          changed={changed}
          canManage={can(session, 'anomalies:manage')}
          canOpenKey={can(session, 'keys:read')}
          notify={notify}
          summary={summary}
          open={open}
          toggle={toggle}
          onChanged={(a, message) => {
            setChanged((c) => ({ ...c, [a.id]: a }));
            const leaves = status !== '' && a.status !== status;
            notify(leaves ? `${message} It has left the list of ${status} anomalies.` : message);
            if (leaves) setLeft((n) => n + 1);
            reload();
          }}
        />
      </div>
    </>
  );
}

function AnomalyList({
  result,
  filtered,
  status,
  severity,
  changed,
  summary,
  ...card
}: {
  result: Loaded<{ items: Anomaly[] }>;
  filtered: boolean;
  status: string;
  severity: string;
  changed: Record<string, Anomaly>;
  summary: RefObject<HTMLParagraphElement | null>;
  open: ReadonlySet<string>;
  toggle(id: string): void;
  canManage: boolean;
  canOpenKey: boolean;
  notify: PageProps['notify'];
  onChanged(a: Anomaly, message: string): void;
}) {
  if (result.state !== 'ready') return <LoadStatus result={result} failed="The anomalies could not load" />;
  const items = result.data.items
    .map((a) => changed[a.id] ?? a)
    .filter((a) => (!severity || a.severity === severity) && (!status || a.status === status));
  const which = status ? `${status} ` : '';
  if (items.length === 0)
    return (
      <p className="empty" ref={summary} tabIndex={-1}>
        {filtered ? `No ${which}anomalies match these filters.` : `No ${which}anomalies.`}
        {status === 'open' && !filtered && ' The detectors have found nothing that is waiting for someone.'}
      </p>
    );
  return (
    <AnomalyTable
      items={items}
      more={result.data.items.length === LIMIT}
      summary={{
        ref: summary,
        text:
          `${items.length} ${items.length === 1 ? 'anomaly' : 'anomalies'}, newest first` +
          (result.data.items.length === LIMIT ? ` (the newest ${LIMIT}; narrow the filters to see older ones).` : '.'),
      }}
      {...card}
    />
  );
}
