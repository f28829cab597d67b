import { useEffect, useRef } from 'react';
import type { Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { when } from '../format.js';
import { usePages } from '../use-pages.js';

type Delivery = Answer<'GET /v1/webhooks/{webhookId}/deliveries'>['items'][number];

const STATUS_BADGE = { succeeded: 'active', pending: 'disabled', failed: 'revoked' } as const;

/** One webhook's delivery log, newest first, 25 at a time: what was sent, and how it went. */
export function WebhookDeliveries({ webhookId, url, onClose }: { webhookId: string; url: string; onClose(): void }) {
  const [rows, load] = usePages<Delivery>(`/v1/webhooks/${webhookId}/deliveries`, 25);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [webhookId]);

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
