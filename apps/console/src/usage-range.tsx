import { api, type Answer } from './api.js';
import type { Bucket } from './outcome-chart.js';
import { useLoad, type Loaded } from './use-load.js';

/** The ranges the usage views offer, each with the size of its bars. */
export const RANGES = {
  '24h': { label: '24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: '7 days', ms: 7 * 86_400_000, bucket: 'day' },
  '30d': { label: '30 days', ms: 30 * 86_400_000, bucket: 'day' },
} as const satisfies Record<string, { label: string; ms: number; bucket: Bucket }>;
export type Range = keyof typeof RANGES;

/** `GET /v1/analytics/verifications`: counts per bucket from the roll-ups every server node writes. */
export type Series = Answer<'GET /v1/analytics/verifications'>;

/** The verifications of one key, one owner or the whole workspace over a range, from the roll-ups. */
export function useSeries(range: Range, subject: { keyId?: string; ownerId?: string }): Loaded<Series> {
  const { keyId, ownerId } = subject;
  const [series] = useLoad(() => {
    const r = RANGES[range];
    const now = Date.now();
    const q = new URLSearchParams({ granularity: r.bucket, from: new Date(now - r.ms).toISOString(), to: new Date(now).toISOString() });
    if (keyId) q.set('keyId', keyId);
    if (ownerId) q.set('ownerId', ownerId);
    return api<Series>('GET', `/v1/analytics/verifications?${q}`);
  }, [range, keyId, ownerId]);
  return series;
}

/** The series as the outcome chart draws it: one bar per bucket, stacked by outcome. */
export const chartPoints = (s: Series) => s.series.map((p) => ({ minute: p.time, counts: p.outcomes as Record<string, number> }));

/** A group of buttons that picks the range; the one chosen is pressed. */
export function RangeSwitch({ value, onChange, label }: { value: Range; onChange(r: Range): void; label: string }) {
  return (
    <div className="range-switch" role="group" aria-label={label}>
      {(Object.keys(RANGES) as Range[]).map((r) => (
        <button key={r} type="button" aria-pressed={r === value} onClick={() => onChange(r)}>
          {RANGES[r].label}
        </button>
      ))}
    </div>
  );
}

/** Each outcome's count and share of the range, the commonest first; failures are every outcome but VALID. */
export function OutcomeBreakdown({ totals, caption }: { totals: Series['totals']; caption: string }) {
  const rows = Object.entries(totals.outcomes as Record<string, number>).sort((a, b) => b[1] - a[1]);
  if (totals.total === 0) return <p className="empty">No verifications in this range.</p>;
  const failed = totals.total - totals.valid;
  return (
    <table className="breakdown">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Outcome</th>
          <th scope="col" className="num">
            Verifications
          </th>
          <th scope="col" className="num">
            Share
          </th>
          <th scope="col" className="num">
            Of failures
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([code, n]) => (
          <tr key={code} data-outcome={code}>
            <td>
              <code>{code}</code>
            </td>
            <td className="num">{n}</td>
            <td className="num">{`${((100 * n) / totals.total).toFixed(1)} %`}</td>
            <td className="num">{code === 'VALID' || failed === 0 ? '—' : `${((100 * n) / failed).toFixed(1)} %`}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{`All (${failed} failed)`}</th>
          <td className="num">{totals.total}</td>
          <td className="num">100 %</td>
          <td className="num">{failed === 0 ? '—' : '100 %'}</td>
        </tr>
      </tfoot>
    </table>
  );
}
