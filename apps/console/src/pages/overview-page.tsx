import { api, can, type Answer } from '../api.js';
import { LoadStatus } from '../load-status.js';
import { OutcomeChart } from '../lazy-outcome-chart.js';
import type { PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { SecretDueRow } from './secret-due-row.js';

export function OverviewPage({ session }: PageProps) {
  const [result, reload] = useLoad(
    () =>
      Promise.all([
        api<Answer<'GET /console/api/overview'>>('GET', '/console/api/overview'),
        can(session, 'audit:read')
          ? api<Answer<'GET /v1/audit/verify'>>('GET', '/v1/audit/verify').catch(() => null)
          : Promise.resolve(null),
      ]),
    [session],
  );
  if (result.state !== 'ready') return <LoadStatus title="Overview" result={result} />;
  const [o, chain] = result.data;
  return (
    <>
      <h1>Overview</h1>
      <div className="tiles">
        {o.activeKeys !== null && <Tile label="Active keys" value={String(o.activeKeys)} href="#/keys" testId="tile-active-keys" />}
        {o.keyspaces !== null && <Tile label="Keyspaces" value={String(o.keyspaces)} href="#/keys" />}
        {o.secretsDue !== null && <Tile label="Secrets due for rotation" value={String(o.secretsDue.length)} href="#/secrets" />}
        {chain !== null && (
          <Tile
            label="Audit chain"
            value={chain.ok ? `Intact (${chain.checked})` : `Broken at #${chain.firstBadSeq}`}
            href="#/audit"
            tone={chain.ok ? 'ok' : 'bad'}
          />
        )}
      </div>
      {o.verifications !== null && (
        <section aria-labelledby="verif-title">
          <h2 id="verif-title">Verifications per minute, by outcome</h2>
          <p className="muted">
            The last {o.verifications.windowMinutes} minutes on this server node.{' '}
            <button type="button" className="link" onClick={reload}>
              Refresh
            </button>
          </p>
          <OutcomeChart series={o.verifications.series} title="Verifications per minute by outcome" id="overview-chart" />
        </section>
      )}
      {o.secretsDue !== null && o.secretsDue.length > 0 && (
        <section aria-labelledby="due-title">
          <h2 id="due-title">Secrets due for rotation</h2>
          <table>
            <TableHead columns={['Secret', 'Status', 'Rotate by']} />
            <tbody>
              {o.secretsDue.map((s) => (
                <SecretDueRow key={s.name} secret={s}>
                  <td>{s.name}</td>
                </SecretDueRow>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {!session.capabilities.anomalies && (
        <p className="muted small">Open anomalies appear here once anomaly detection is part of this server.</p>
      )}
    </>
  );
}

function Tile({ label, value, href, testId, tone }: { label: string; value: string; href: string; testId?: string; tone?: 'ok' | 'bad' }) {
  return (
    <a className={`tile${tone ? ` ${tone}` : ''}`} href={href} data-testid={testId}>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
    </a>
  );
}
