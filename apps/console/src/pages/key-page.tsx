import { useState } from 'react';
import { api, ApiError, can, type Answer } from '../api.js';
import { when } from '../format.js';
import { OutcomeChart } from '../lazy-outcome-chart.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { RANGES, OutcomeBreakdown, RangeSwitch, chartPoints, useSeries, type Range } from '../usage-range.js';
import { useLoad } from '../use-load.js';
import { AuditTable, Pager, useAuditPages } from './audit-table.js';
import { KeyDetail, type KeyUsage } from './key-detail.js';
import { keyReveal, type Key, type Keyspace, type ShownKey, type Suspension } from './key-model.js';
import { KeyRecovery } from './key-recovery.js';

/**
 * One key at its own address (`#/key?id=key_…`): what it is and what may be done to it, its use
 * over hours, days and weeks from the roll-ups of every server node, and its history from the
 * audit log.
 */
export function KeyPage({ session, notify }: PageProps) {
  const [keyId] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? '').get('id') ?? '');
  const [shown, setShown] = useState<(ShownKey & { note?: string }) | null>(null);
  const [result, reload] = useLoad(async () => {
    // A link to a deleted key (from the audit log, an anomaly, a suspension) lands on a page that says so.
    const key = await api<Key>('GET', `/v1/keys/${encodeURIComponent(keyId)}`).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    });
    if (key === null) return { gone: true as const };
    const [usage, held] = await Promise.all([
      api<KeyUsage>('GET', `/console/api/keys/${encodeURIComponent(keyId)}/usage`),
      can(session, 'anomalies:read')
        ? api<Answer<'GET /v1/suspensions'>>('GET', `/v1/suspensions?active=true&keyId=${encodeURIComponent(keyId)}`)
        : Promise.resolve({ items: [] as Suspension[] }),
    ]);
    // A key of a recoverable keyspace can be read back by those who may (owners and admins).
    const recoverable =
      can(session, 'keys:recover') && key.revokedAt === null
        ? (await api<Keyspace>('GET', `/v1/keyspaces/${encodeURIComponent(key.keyspaceId)}`)).recoverable
        : false;
    return { gone: false as const, key, usage, suspension: held.items[0], recoverable };
  }, [keyId]);
  const history = useAuditPages(`target=${encodeURIComponent(keyId)}`, 10);
  if (result.state !== 'ready') return <LoadStatus title="Key" result={result} failed="This key could not load" />;
  if (result.data.gone) return <DeletedKey keyId={keyId} history={can(session, 'audit:read') ? history : undefined} />;
  const { key, usage, suspension, recoverable } = result.data;
  const changed = () => {
    reload();
    history.reload();
  };
  const open = (id: string) => (location.hash = `#/key?id=${encodeURIComponent(id)}`);

  return (
    <>
      <p className="crumbs">
        <a href="#/keys">Keys</a> /
      </p>
      <RevealSlot shown={shown && keyReveal(shown)} noun="key" notify={notify} onHide={() => setShown(null)} />
      <KeyDetail
        ownPage
        keyInfo={key}
        usage={usage}
        focus={false}
        suspension={suspension}
        session={session}
        notify={notify}
        onChanged={changed}
        onOpen={open}
        onRolled={(r, old) => {
          setShown({
            key: r.key,
            title: `Key rolled: the new key of ${old.name ?? old.keyId}`,
            note: `The old key (${old.start}) keeps working until ${when(old.expiresAt)}, then expires. The new key's page: ${r.keyId}.`,
          });
          changed();
        }}
        onClose={() => (location.hash = '#/keys')}
        onDeleted={() => (location.hash = '#/keys')}
      />
      {recoverable && <KeyRecovery keyId={key.keyId} label={key.name ?? key.keyId} notify={notify} onRead={history.reload} />}
      {can(session, 'analytics:read') && <KeyUsageHistory keyId={key.keyId} label={key.name ?? key.keyId} />}
      {can(session, 'audit:read') && (
        <section className="card" aria-labelledby="kh-title">
          <h2 id="kh-title">History</h2>
          <p className="muted">Every change to this key in the audit log, newest first.</p>
          <AuditTable rows={history.rows} label="History of this key" target={false} />
          <Pager pages={history} noun="entries" />
        </section>
      )}
    </>
  );
}

/** What a link to a key that no longer exists opens: that it is deleted, and what the audit log kept of it. */
function DeletedKey({ keyId, history }: { keyId: string; history: ReturnType<typeof useAuditPages> | undefined }) {
  return (
    <>
      <p className="crumbs">
        <a href="#/keys">Keys</a> /
      </p>
      <h1>Deleted key</h1>
      <p>
        The key <code>{keyId}</code> was deleted, or never existed in this workspace. It cannot be opened, changed or used; what was done to
        it stays in the audit log.
      </p>
      {history !== undefined && (
        <section className="card" aria-labelledby="kh-title">
          <h2 id="kh-title">History</h2>
          <AuditTable rows={history.rows} label="History of this key" target={false} />
          <Pager pages={history} noun="entries" />
        </section>
      )}
    </>
  );
}

/** The key's verifications over 24 hours, 7 days or 30 days, by outcome, from the stored roll-ups. */
function KeyUsageHistory({ keyId, label }: { keyId: string; label: string }) {
  const [range, setRange] = useState<Range>('24h');
  const series = useSeries(range, { keyId });
  return (
    <section className="card" aria-labelledby="ku-title">
      <div className="row spread">
        <h2 id="ku-title">Usage over time</h2>
        <RangeSwitch value={range} onChange={setRange} label="Usage range" />
      </div>
      <p className="muted">{`Verifications per ${RANGES[range].bucket} over the last ${RANGES[range].label}, on every server node (times in UTC).`}</p>
      {series.state !== 'ready' ? (
        <LoadStatus result={series} failed="The usage could not load" />
      ) : (
        <>
          <OutcomeChart
            series={chartPoints(series.data)}
            bucket={RANGES[range].bucket}
            title={`Verifications of ${label} per ${RANGES[range].bucket}`}
            id="key-history-chart"
          />
          <OutcomeBreakdown totals={series.data.totals} caption={`Outcomes over the last ${RANGES[range].label}`} />
        </>
      )}
    </section>
  );
}
