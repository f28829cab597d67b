import type { Webhook, WebhookDelivery } from '@tessera/api';
import { LoadStatus } from '../load-status.js';
import { useState } from 'react';
import { api, type Answer } from '../api.js';
import { when } from '../format.js';
import type { Notify } from '../page-props.js';
import { RevealSlot } from '../show-once.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { WebhookForm, type CreatedWebhook } from './webhook-form.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

const outcome = (d: WebhookDelivery) =>
  d.status === 'succeeded'
    ? `delivered (HTTP ${d.responseStatus})`
    : `not delivered${d.responseStatus !== null ? ` (HTTP ${d.responseStatus})` : ''}${d.lastError ? `: ${d.lastError}` : ''}${d.status === 'pending' ? '; it will be retried' : ''}`;

/** Webhook subscriptions: list, add (the signing secret shown once), test, a new secret, disable, delete. */
export function WebhooksSection({ notify }: { notify: Notify }) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/webhooks'>>('GET', '/v1/webhooks'), []);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<(CreatedWebhook & { rotated?: true }) | null>(null);
  const [tests, setTests] = useState<Record<string, string>>({});
  /** The webhook whose delivery log is open. */
  const [log, setLog] = useState<string | null>(null);

  const change = (p: Promise<unknown>, message: string) =>
    void p
      .then(
        () => notify(message),
        (err: Error) => notify(err.message, 'error'),
      )
      .finally(reload);
  const test = (w: Webhook) =>
    api<WebhookDelivery>('POST', `/v1/webhooks/${w.id}/test`).then(
      (d) => {
        setTests((t) => ({ ...t, [w.id]: outcome(d) }));
        notify(`Test event to ${w.url}: ${outcome(d)}.`, d.status === 'succeeded' ? 'ok' : 'error');
      },
      (err: Error) => notify(err.message, 'error'),
    );
  const rotate = (w: Webhook) => {
    if (!window.confirm(`Give the webhook to ${w.url} a new signing secret? The old one stops signing at once: update the receiver.`))
      return;
    api<Answer<'POST /v1/webhooks/{webhookId}/rotate-secret'>>('POST', `/v1/webhooks/${w.id}/rotate-secret`).then(
      (r) => {
        setCreated({ ...r, rotated: true });
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };
  const remove = (w: Webhook) => {
    if (!window.confirm(`Delete the webhook to ${w.url}? Its delivery log is deleted with it.`)) return;
    change(api('DELETE', `/v1/webhooks/${w.id}`), `The webhook to ${w.url} is deleted.`);
  };

  return (
    <>
      <p className="muted">
        Tessera sends events (anomalies, key changes) as JSON by POST, signed in the <code>Tessera-Signature</code> header with the
        webhook&apos;s secret, and retries failed deliveries.
      </p>
      <RevealSlot
        shown={
          created && {
            title: `Webhook to ${created.url} ${created.rotated ? 'has a new signing secret' : 'added: its signing secret'}`,
            value: created.secret,
            note: 'the receiver checks signatures with it, and Tessera will not show it again.',
          }
        }
        noun="secret"
        notify={notify}
        onHide={() => setCreated(null)}
      />
      {result.state !== 'ready' && <LoadStatus result={result} failed="The webhooks could not load" />}
      {result.state === 'ready' &&
        (result.data.items.length === 0 ? (
          <p className="empty">No webhooks yet: nothing is sent anywhere.</p>
        ) : (
          <table className="webhooks">
            <caption className="sr-only">Webhooks</caption>
            <TableHead columns={['URL', 'Events', 'State', 'Secret', 'Created']} actions />
            <tbody>
              {result.data.items.map((w) => (
                <tr key={w.id} data-webhook-id={w.id}>
                  <td className="mono url">{w.url}</td>
                  <td>{w.events.includes('*') ? 'every event' : w.events.join(', ')}</td>
                  <td>
                    <span className={`badge ${w.enabled ? 'active' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span>
                    {tests[w.id] && <p className="small muted">Last test: {tests[w.id]}</p>}
                  </td>
                  <td className="mono">{w.secretStart}</td>
                  <td>{when(w.createdAt)}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => void test(w)} aria-label={`Send a test event to ${w.url}`}>
                      Send test
                    </button>
                    <button
                      type="button"
                      aria-expanded={log === w.id}
                      onClick={() => setLog(log === w.id ? null : w.id)}
                      aria-label={`Deliveries to ${w.url}`}
                    >
                      Deliveries
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        change(
                          api('PATCH', `/v1/webhooks/${w.id}`, { enabled: !w.enabled }),
                          `The webhook to ${w.url} is ${w.enabled ? 'disabled' : 'enabled'}.`,
                        )
                      }
                      aria-label={`${w.enabled ? 'Disable' : 'Enable'} the webhook to ${w.url}`}
                    >
                      {w.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" onClick={() => rotate(w)} aria-label={`New signing secret for the webhook to ${w.url}`}>
                      New secret
                    </button>
                    <button type="button" className="danger" onClick={() => remove(w)} aria-label={`Delete the webhook to ${w.url}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {log !== null && result.state === 'ready' && result.data.items.some((w) => w.id === log) && (
        <WebhookDeliveries
          key={`${log}-${tests[log] ?? ''}`}
          webhookId={log}
          url={result.data.items.find((w) => w.id === log)!.url}
          onClose={() => setLog(null)}
        />
      )}
      <div className="toolbar">
        <button type="button" aria-expanded={adding} onClick={() => setAdding(!adding)}>
          Add a webhook
        </button>
      </div>
      {adding && (
        <WebhookForm
          onCreated={(w) => {
            setAdding(false);
            setCreated(w);
            reload();
          }}
        />
      )}
    </>
  );
}
