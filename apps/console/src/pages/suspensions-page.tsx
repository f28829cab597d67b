import type { LeakOutcome } from '@tessera/api';
import { useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { Notify, PageProps } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';
import { holdOf, type Key, type Suspension } from './key-model.js';

/**
 * The keys a keyspace policy suspended or a leak report quarantined: which key, why, since when,
 * and Lift, which enables the key again as it was (and is audited). Lifted ones are a filter away.
 */
export function SuspensionsPage({ session, notify }: PageProps) {
  const [which, setWhich] = useState<'active' | 'all'>('active');
  const [result, reload] = useLoad(async () => {
    const list = await api<Answer<'GET /v1/suspensions'>>('GET', `/v1/suspensions${which === 'active' ? '?active=true' : ''}`);
    // Each key by its name: the suspensions name only ids.
    const ids = [...new Set(list.items.map((s) => s.keyId))];
    const keys = await Promise.all(ids.map((id) => api<Key>('GET', `/v1/keys/${id}`).catch(() => undefined)));
    return { items: list.items, keys: new Map(keys.filter((k) => k !== undefined).map((k) => [k.keyId, k])) };
  }, [which]);
  const canLift = can(session, 'anomalies:manage');

  const lift = (s: Suspension, name: string) => {
    const hold = holdOf(s);
    const sure = window.confirm(
      `Lift the suspension of ${name}? It was ${hold.label} because ${hold.why}; whoever holds the key can use it again at once.` +
        (s.wasEnabled ? '' : ' (It was disabled before, and stays disabled.)'),
    );
    if (!sure) return;
    api('POST', `/v1/suspensions/${s.id}/undo`).then(
      () => {
        notify(`Lifted: ${name} is ${s.wasEnabled ? 'enabled again' : 'as it was before, disabled'}.`);
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <>
      <h1>Suspensions</h1>
      <p className="muted">
        Keys turned off by a keyspace policy (after an anomaly) or quarantined by a leak report. A suspension lasts until someone lifts it;
        lifting enables the key as it was before. Times are in UTC.
      </p>
      <form className="filters" role="search" aria-label="Filter suspensions" onSubmit={(e) => e.preventDefault()}>
        <Field label="Show">
          <select value={which} onChange={(e) => setWhich(e.target.value as 'active' | 'all')}>
            <option value="active">in force</option>
            <option value="all">in force and lifted</option>
          </select>
        </Field>
      </form>
      <div aria-live="polite">
        {result.state !== 'ready' ? (
          <LoadStatus result={result} failed="The suspensions could not load" />
        ) : result.data.items.length === 0 ? (
          <p className="empty">{which === 'active' ? 'No key is suspended.' : 'No key has been suspended.'}</p>
        ) : (
          <DataTable
            label="Suspensions"
            className="suspensions dense"
            caption="Suspensions, newest first"
            columns={['Key', 'Owner', 'Why', 'Since', 'Until']}
            actions={canLift}
          >
            {result.data.items.map((s) => {
              const key = result.data.keys.get(s.keyId);
              const name = key?.name ?? s.keyId;
              const hold = holdOf(s);
              return (
                <tr key={s.id} data-suspension-id={s.id}>
                  <td title={s.keyId}>
                    {key === undefined ? (
                      <span className="muted">a deleted key</span>
                    ) : (
                      <a href={`#/key?id=${encodeURIComponent(s.keyId)}`}>{name}</a>
                    )}
                  </td>
                  <td>{key?.ownerId ?? '—'}</td>
                  <td>{`${hold.label[0]!.toUpperCase()}${hold.label.slice(1)}: ${hold.why}`}</td>
                  <td className="nowrap">{when(s.suspendedAt)}</td>
                  <td>{s.undoneAt === null ? 'until lifted' : `lifted ${when(s.undoneAt)}`}</td>
                  {canLift && (
                    <td>
                      {s.undoneAt === null && (
                        <button type="button" onClick={() => lift(s, name)}>
                          Lift<span className="sr-only">{` the suspension of ${name}`}</span>
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </DataTable>
        )}
      </div>
      {can(session, 'keys:report_leaked') && <ReportLeak notify={notify} onReported={reload} />}
    </>
  );
}

const LEAK_OUTCOMES: Record<LeakOutcome['status'], string> = {
  quarantined: 'quarantined',
  revoked: 'revoked',
  already_revoked: 'already revoked',
  unknown: 'not a key of this workspace',
  invalid: 'not a key',
};

/**
 * "Report a leaked key": keys found where they should not be (a paste site, a public repository)
 * are quarantined (suspended, which can be lifted) or revoked, and each becomes a `key_leaked`
 * anomaly. The keys typed are sent once and not kept in the page.
 */
function ReportLeak({ notify, onReported }: { notify: Notify; onReported(): void }) {
  const { error, setError, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const keys = String(data.get('keys') ?? '')
      .split(/\s+/)
      .filter((k) => k !== '');
    if (keys.length === 0) return setError('Paste at least one key, one a line.');
    const source = String(data.get('source') ?? '').trim();
    const reported = api<Answer<'POST /v1/keys/leaked'>>('POST', '/v1/keys/leaked', {
      keys,
      action: String(data.get('action')),
      ...(source !== '' && { source }),
    });
    send(reported, (r) => {
      form.reset();
      notify(r.items.map((o) => `${o.start === '-' ? 'one entry' : o.start}: ${LEAK_OUTCOMES[o.status]}`).join('; ') + '.');
      onReported();
    });
  };
  return (
    <form className="inline-form" aria-labelledby="leak-title" onSubmit={submit}>
      <h2 id="leak-title">Report a leaked key</h2>
      <Field label="Keys found" hint="One a line. They are checked and sent once; the page does not keep them.">
        <textarea name="keys" rows={3} spellCheck={false} autoComplete="off" />
      </Field>
      <Field label="Where they were found" hint="Optional, such as “a public gist”; kept with the finding.">
        <input name="source" maxLength={200} />
      </Field>
      <Field label="Then">
        <select name="action" defaultValue="quarantine">
          <option value="quarantine">quarantine them (can be lifted here)</option>
          <option value="revoke">revoke them (for good)</option>
        </select>
      </Field>
      <FormFooter error={error} submit="Report" danger />
    </form>
  );
}
