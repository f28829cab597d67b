import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { when } from '../format.js';

type Page = Answer<'GET /v1/webhooks/{webhookId}/deliveries'>;
type Rows = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Page['items']; next: string | null };

const STATUS_BADGE = { succeeded: 'active', pending: 'disabled', failed: 'revoked' } as const;

/** One webhook's delivery log, newest first, 25 at a time: what was sent, and how it went. */
export function WebhookDeliveries({ webhookId, url, onClose }: { webhookId: string; url: string; onClose(): void }) {
  const [rows, setRows] = useState<Rows>({ state: 'loading' });
  const run = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const load = useCallback(
    async (cursor?: string) => {
      const q = new URLSearchParams({ limit: '25' });
      if (cursor) q.set('cursor', cursor);
      const mine = ++run.current;
      try {
        const page = await api<Page>('GET', `/v1/webhooks/${webhookId}/deliveries?${q}`);
        if (mine !== run.current) return;
        setRows((prev) => ({
          state: 'ready',
          items: cursor && prev.state === 'ready' ? prev.items.concat(page.items) : page.items,
          next: page.nextCursor,
        }));
      } catch (err) {
        if (mine === run.current) setRows({ state: 'error', message: (err as Error).message });
      }
    },
    [webhookId],
  );
  useEffect(() => {
    void load();
    heading.current?.focus();
  }, [load]);

  return (
    <section className="card deliveries" aria-labelledby="wd-title">
      <div className="row spread">
        <h3 id="wd-title" tabIndex={-1} ref={heading}>
          Deliveries to <span className="mono">{url}</span>
        </h3>
        <div className="row">
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
          <button type="button" className="link" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {rows.state === 'loading' ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : rows.state === 'error' ? (
        <p className="error" role="alert">
          {rows.message}
        </p>
      ) : rows.items.length === 0 ? (
        <p className="empty">Nothing has been sent to this webhook yet.</p>
      ) : (
        <DataTable
          label="Deliveries"
          className="deliveries"
          columns={['Created', 'Event', 'State', 'Attempts', 'HTTP status', 'Last error', 'Delivered', 'Next attempt']}
        >
          {rows.items.map((d) => (
            <tr key={d.id} data-delivery-id={d.id}>
              <td className="nowrap">{when(d.createdAt)}</td>
              <td>
                <code>{d.eventType}</code>
              </td>
              <td>
                <span className={`badge ${STATUS_BADGE[d.status]}`}>{d.status}</span>
              </td>
              <td>{d.attempts}</td>
              <td>{d.responseStatus ?? '—'}</td>
              <td>{d.lastError?.replaceAll('_', ' ') ?? '—'}</td>
              <td className="nowrap">{when(d.deliveredAt)}</td>
              <td className="nowrap">{when(d.nextAttemptAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {rows.state === 'ready' && rows.next && (
        <button type="button" onClick={() => void load(rows.next!)}>
          Older deliveries
        </button>
      )}
    </section>
  );
}
