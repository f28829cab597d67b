import { h, s } from './dom.js';

export interface MinutePoint {
  minute: string;
  counts: Record<string, number>;
}

/** Outcome colours: distinguishable, and each with a legend entry (colour is never the only cue). */
const COLOURS: Record<string, string> = {
  VALID: '#1a7f37',
  RATE_LIMITED: '#b35900',
  USAGE_EXCEEDED: '#8250df',
  INSUFFICIENT_SCOPE: '#0969da',
  IP_NOT_ALLOWED: '#6639ba',
  EXPIRED: '#6e7781',
  REVOKED: '#cf222e',
  DISABLED: '#57606a',
  NOT_FOUND: '#a40e26',
  MALFORMED: '#953800',
};

/**
 * Verifications per minute, stacked by outcome, as an SVG bar chart with a legend that gives
 * the totals in text (what a screen reader reads, and what the tests check).
 */
export function outcomeChart(series: MinutePoint[], opts: { title: string; id: string }): HTMLElement {
  const totals: Record<string, number> = {};
  for (const p of series) for (const [code, n] of Object.entries(p.counts)) totals[code] = (totals[code] ?? 0) + n;
  const codes = Object.keys(totals).sort((a, b) => (a === 'VALID' ? -1 : b === 'VALID' ? 1 : totals[b]! - totals[a]!));
  const sum = Object.values(totals).reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...series.map((p) => Object.values(p.counts).reduce((a, b) => a + b, 0)));

  const W = 720;
  const H = 200;
  const pad = { l: 36, r: 8, t: 8, b: 22 };
  const bw = (W - pad.l - pad.r) / Math.max(1, series.length);
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${opts.id}-title ${opts.id}-summary` });
  svg.append(s('title', { id: `${opts.id}-title` }, opts.title));
  // Gridlines and the y axis: 0, half, max.
  for (const v of [0, Math.round(max / 2), max]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)));
  }
  series.forEach((p, i) => {
    let base = 0;
    for (const code of codes) {
      const n = p.counts[code] ?? 0;
      if (n === 0) continue;
      const rect = s('rect', {
        x: pad.l + i * bw + 1,
        y: y(base + n),
        width: Math.max(1, bw - 2),
        height: y(base) - y(base + n),
        fill: COLOURS[code] ?? '#444',
      });
      rect.append(s('title', {}, `${new Date(p.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}: ${n} ${code}`));
      svg.append(rect);
      base += n;
    }
  });
  // Time labels: first, middle, last minute.
  const marks = [0, Math.floor(series.length / 2), series.length - 1];
  for (const i of marks) {
    const p = series[i];
    if (p === undefined) continue;
    const anchor = i === 0 ? 'start' : i === series.length - 1 ? 'end' : 'middle';
    const x = i === 0 ? pad.l : i === series.length - 1 ? W - pad.r : pad.l + i * bw + bw / 2;
    svg.append(
      s(
        'text',
        { x, y: H - 6, class: 'axis', 'text-anchor': anchor },
        new Date(p.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
      ),
    );
  }

  const legend = h(
    'ul',
    { className: 'legend', id: `${opts.id}-summary`, 'aria-label': 'Totals by outcome' },
    sum === 0
      ? h('li', { className: 'muted' }, 'No verifications in this window yet.')
      : codes.map((code) =>
          h(
            'li',
            { 'data-code': code },
            h('span', { className: `swatch swatch-${code.toLowerCase()}`, 'aria-hidden': 'true' }),
            `${code}: ${totals[code]}`,
          ),
        ),
  );
  return h('figure', { className: 'chart-figure', id: opts.id }, svg, h('figcaption', {}, legend));
}
