import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type Answer } from '../api.js';
import { Field } from '../field.js';
import { OutcomeChart } from '../lazy-outcome-chart.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { RANGES, OutcomeBreakdown, RangeSwitch, chartPoints, useSeries, type Range } from '../usage-range.js';
import { useLoad, type Loaded } from '../use-load.js';
import type { Key } from './key-model.js';

type Top = Answer<'GET /v1/analytics/top'>;
/** The busiest keys (`found`: the key can still be read, by `name`) and owners over a range. */
type TopData = { keys: (Top['items'][number] & { found: boolean; name: string | null })[]; owners: Top['items'] };

/**
 * Usage from the roll-ups every server node writes: verifications by outcome over a range, for
 * the workspace or one owner; the failures by outcome; the keys and owners with the most use.
 */
export function AnalyticsPage(_: PageProps) {
  const [params] = useState(() => new URLSearchParams(location.hash.split('?')[1] ?? ''));
  const [range, setRange] = useState<Range>(() => (params.get('range') as Range | null) ?? '24h');
  const [owner, setOwner] = useState(params.get('owner') ?? '');
  const [ownerInput, setOwnerInput] = useState(owner);
  const series = useSeries(range, owner ? { ownerId: owner } : {});
  const [top] = useLoad(async (): Promise<TopData> => {
    const now = Date.now();
    const q = (by: 'key' | 'owner') =>
      new URLSearchParams({ by, limit: '10', from: new Date(now - RANGES[range].ms).toISOString(), to: new Date(now).toISOString() });
    const [keys, owners] = await Promise.all([
      api<Top>('GET', `/v1/analytics/top?${q('key')}`),
      api<Top>('GET', `/v1/analytics/top?${q('owner')}`),
    ]);
    // The top keys by name (the roll-ups keep ids); one that cannot be read is a deleted key.
    const named = await Promise.all(keys.items.map((i) => api<Key>('GET', `/v1/keys/${i.subject}`).catch(() => undefined)));
    return {
      keys: keys.items.map((i, n) => ({ ...i, found: named[n] !== undefined, name: named[n]?.name ?? null })),
      owners: owners.items,
    };
  }, [range]);
  const showOwner = (e: FormEvent) => {
    e.preventDefault();
    setOwner(ownerInput.trim());
  };
  const who = owner ? `owner ${owner}` : 'the workspace';
  const ownerCell = (o: TopData['owners'][number]) => (
    <td>
      <button
        type="button"
        className="link truncate"
        title={`Show ${o.subject}'s use`}
        onClick={() => {
          setOwner(o.subject);
          setOwnerInput(o.subject);
        }}
      >
        {o.subject}
      </button>
    </td>
  );

  return (
    <>
      <h1>Analytics</h1>
      <p className="muted">
        Verifications from the roll-ups that every server node writes to the database, so the figures cover the whole cluster. Times are in
        UTC.
      </p>
      <div className="toolbar">
        <RangeSwitch value={range} onChange={setRange} label="Range" />
        <form className="inline" role="search" aria-label="One owner's use" onSubmit={showOwner}>
          <Field label="Owner">
            <input placeholder="every owner" spellCheck={false} value={ownerInput} onChange={(e) => setOwnerInput(e.target.value)} />
          </Field>
          <button type="submit">Show</button>
          {owner && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setOwner('');
                setOwnerInput('');
              }}
            >
              Every owner
            </button>
          )}
        </form>
      </div>
      <section className="card" aria-labelledby="an-series">
        <h2 id="an-series">{`Verifications of ${who}, per ${RANGES[range].bucket}, over the last ${RANGES[range].label}`}</h2>
        {series.state !== 'ready' ? (
          <LoadStatus result={series} failed="The verifications could not load" />
        ) : (
          <div className="split">
            <OutcomeChart
              series={chartPoints(series.data)}
              bucket={RANGES[range].bucket}
              title={`Verifications of ${who} per ${RANGES[range].bucket}`}
              id="analytics-chart"
            />
            <OutcomeBreakdown totals={series.data.totals} caption="Outcomes, and the failures among them" />
          </div>
        )}
      </section>
      <div className="split">
        <TopCard noun="keys" over={RANGES[range].label} top={top} cell={keyCell} />
        <TopCard noun="owners" over={RANGES[range].label} top={top} cell={ownerCell} />
      </div>
    </>
  );
}

/** A key in the top keys: a link to its page, or a deleted one. */
const keyCell = (k: TopData['keys'][number]) => (
  <td title={k.subject}>
    {k.found ? (
      <a className="truncate" href={`#/key?id=${encodeURIComponent(k.subject)}`}>
        {k.name ?? k.subject}
      </a>
    ) : (
      <span className="muted">a deleted key</span>
    )}
  </td>
);

/** What each top card calls its first column, and says when the range has none. */
const TOP_CARDS = {
  keys: { first: 'Key', empty: 'No key was used in this range.' },
  owners: { first: 'Owner', empty: "No owner's key was used in this range." },
} as const;

/**
 * The card of the busiest keys or owners (`noun`) over the range (`over`): the column `cell`
 * fills for each row, then its verifications and credits.
 */
function TopCard<N extends keyof TopData>({
  noun,
  over,
  top,
  cell,
}: {
  noun: N;
  over: string;
  top: Loaded<TopData>;
  cell(row: TopData[N][number]): ReactNode;
}) {
  const { first, empty } = TOP_CARDS[noun];
  const items: readonly TopData[N][number][] = top.state === 'ready' ? top.data[noun] : [];
  return (
    <section className="card" aria-labelledby={`an-${noun}`}>
      <h2 id={`an-${noun}`}>Top {noun}</h2>
      {top.state !== 'ready' ? (
        <LoadStatus result={top} failed={`The top ${noun} could not load`} />
      ) : items.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <table className={`dense top-${noun}`}>
          <caption className="sr-only">{`The ${noun} with the most verifications over the last ${over}`}</caption>
          <TableHead columns={[first, 'Verifications', 'Credits']} />
          <tbody>
            {items.map((r) => (
              <tr key={r.subject}>
                {cell(r)}
                <td className="num">{r.count}</td>
                <td className="num">{r.cost ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
