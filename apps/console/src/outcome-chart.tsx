import type { Answer } from './api.js';
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { OUTCOME_COLOURS } from './outcome-colours.js';

/** Verifications of one minute, by outcome, as the console API gives them. */
export type MinutePoint = Answer<'GET /console/api/keys/{keyId}/usage'>['series'][number];

const OTHER = '#444444';
const HEIGHT = 220;
const MAX_WIDTH = 900;

/** A minute's time in UTC, as every time in the console is shown. */
const hhmm = (seconds: number) =>
  new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
/** A day's date in UTC. */
const mmdd = (seconds: number) => new Date(seconds * 1000).toLocaleDateString([], { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** How long one bar is: a minute (the default), an hour or a day. */
export type Bucket = 'minute' | 'hour' | 'day';

/**
 * Verifications per minute, stacked by outcome, drawn by uPlot; under it a legend that gives the
 * totals in text (what a screen reader reads, and what the tests check) and, while the pointer
 * is over the chart, that minute's counts.
 */
export function OutcomeChart({
  series,
  title,
  id,
  bucket = 'minute',
}: {
  series: MinutePoint[];
  title: string;
  id: string;
  bucket?: Bucket;
}) {
  const label = bucket === 'day' ? mmdd : hhmm;
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);

  const totals: Record<string, number> = {};
  for (const p of series) for (const [code, n] of Object.entries(p.counts)) totals[code] = (totals[code] ?? 0) + n;
  // VALID at the bottom of each stack, then the commonest failures.
  const codes = Object.keys(totals).sort((a, b) => (a === 'VALID' ? -1 : b === 'VALID' ? 1 : totals[b]! - totals[a]!));
  const sum = Object.values(totals).reduce((a, b) => a + b, 0);

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const xs = series.map((p) => Date.parse(p.minute) / 1000);
    // uPlot does not stack: each series is the running total up to its outcome, and the tallest
    // is drawn first so that every outcome shows as its own band of the bar.
    const running = xs.map(() => 0);
    const stacked = codes.map((code) => series.map((p, i) => (running[i]! += p.counts[code] ?? 0)));
    const order = codes.map((_, i) => i).reverse();
    const bars = uPlot.paths.bars!({ size: [0.8, 48], gap: 1 });
    const step = xs.length > 1 ? xs[1]! - xs[0]! : 60;
    const axis = { stroke: '#57606a', grid: { stroke: '#eaeef2', width: 1 }, ticks: { stroke: '#d0d7de', width: 1 } };
    const plot = new uPlot(
      {
        width: Math.min(MAX_WIDTH, el.clientWidth || MAX_WIDTH),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
        scales: {
          x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
          y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
        },
        axes: [
          { ...axis, space: 64, values: (_u, splits) => splits.map(label) },
          { ...axis, size: 44, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 50_000, 100_000] },
        ],
        series: [
          {},
          ...order.map((i) => {
            const colour = OUTCOME_COLOURS[codes[i]!] ?? OTHER;
            return { label: codes[i]!, stroke: colour, fill: colour, width: 0, paths: bars, points: { show: false } };
          }),
        ],
        hooks: { setCursor: [(u) => setHover(u.cursor.idx ?? null)] },
      },
      [xs, ...order.map((i) => stacked[i]!)],
      el,
    );
    const resize = new ResizeObserver(() => {
      const width = Math.min(MAX_WIDTH, el.clientWidth);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
    // `codes` and `label` follow from `series` and `bucket`.
  }, [series, bucket]);

  const point = hover === null ? undefined : series[hover];
  return (
    <figure className="chart-figure" id={id}>
      <div className="chart" role="img" aria-labelledby={`${id}-title ${id}-summary`}>
        <div ref={box} className="chart-plot" />
      </div>
      <figcaption>
        <span className="sr-only" id={`${id}-title`}>
          {title}
        </span>
        <p className="chart-readout small muted" aria-hidden="true">
          {point === undefined
            ? `Point at a bar for that ${bucket}’s counts (times in UTC).`
            : `${label(Date.parse(point.minute) / 1000)}: ${
                codes
                  .filter((c) => (point.counts[c] ?? 0) > 0)
                  .map((c) => `${c} ${point.counts[c]}`)
                  .join(', ') || 'no verifications'
              }`}
        </p>
        <ul className="legend" id={`${id}-summary`} aria-label="Totals by outcome">
          {sum === 0 ? (
            <li className="muted">No verifications in this window yet.</li>
          ) : (
            codes.map((code) => (
              <li key={code} data-code={code}>
                <span className="swatch" aria-hidden="true" style={{ background: OUTCOME_COLOURS[code] ?? OTHER }} />
                {`${code}: ${totals[code]}`}
              </li>
            ))
          )}
        </ul>
      </figcaption>
    </figure>
  );
}
