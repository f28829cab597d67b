import { lazy, Suspense, type ComponentProps } from 'react';

const Chart = lazy(() => import('./outcome-chart.js').then((m) => ({ default: m.OutcomeChart })));

/**
 * The outcome chart, loaded on first use: uPlot and its styles stay out of the sign-in page's
 * download. The placeholder keeps the chart's place so nothing jumps when it arrives.
 */
export function OutcomeChart(props: ComponentProps<typeof Chart>) {
  return (
    <Suspense
      fallback={
        <figure className="chart-figure" id={props.id}>
          <div className="chart" aria-busy="true">
            <p className="chart-plot muted small">Loading the chart…</p>
          </div>
        </figure>
      }
    >
      <Chart {...props} />
    </Suspense>
  );
}
