import { useState, type FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { Field, NumberField } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import type { Notify } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { ShowOnce } from '../show-once.js';
import { useLoad } from '../use-load.js';

type Rotation = Answer<'GET /v1/secret-rotations'>['items'][number];

const path = (base: string, name: string) => `${base}/${name.split('/').map(encodeURIComponent).join('/')}`;

/**
 * Rotation of the vault's secrets: each rotation's schedule, next run and last result, a
 * "Rotate now" and "Stop rotating" per secret, and a small form to set a secret's rotator and schedule.
 */
export function SecretRotations({
  names,
  canWrite,
  notify,
  onRotated,
}: {
  names: string[];
  canWrite: boolean;
  notify: Notify;
  onRotated: () => void;
}) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/secret-rotations'>>('GET', '/v1/secret-rotations'), []);
  const [rotator, setRotator] = useState<'postgres-alternating' | 'webhook'>('postgres-alternating');
  const [busy, setBusy] = useState<string | null>(null);
  const [signingSecret, setSigningSecret] = useState<string | null>(null);
  const items = result.state === 'ready' ? result.data.items : [];

  const rotateNow = async (name: string) => {
    setBusy(name);
    try {
      const r = await api<Answer<'POST /v1/secret-rotations/{*}'>>('POST', path('/v1/secret-rotations', name));
      if (r.version === null)
        notify(`Rotating ${name} failed: ${r.lastError ?? 'unknown error'}. The current version stays; it will be retried.`, 'error');
      else notify(`Rotated ${name}: version ${r.version} is current.`);
      reload();
      onRotated();
    } catch (err) {
      notify((err as Error).message, 'error');
    } finally {
      setBusy(null);
    }
  };

  const stop = (name: string) => {
    if (!window.confirm(`Stop rotating ${name}? Its current version stays; nothing rotates it again until a rotation is set.`)) return;
    api('DELETE', path('/v1/secret-rotations', name)).then(
      () => {
        notify(`${name} is no longer rotated; its current version stays.`);
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  const configure = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    const every = v.every === '' ? null : `${v.every}${v.unit}`;
    const body =
      rotator === 'webhook' ? { rotator, url: v.url, every } : { rotator, connection: v.connection, usernames: [v.userA, v.userB], every };
    api<Answer<'PUT /v1/secret-rotations/{*}'>>('PUT', path('/v1/secret-rotations', v.secret!), body).then(
      (r) => {
        notify(`Rotation of ${r.secret} set.`);
        if (r.signingSecret) setSigningSecret(r.signingSecret);
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <section aria-labelledby="rotations">
      <h2 id="rotations">Rotation</h2>
      {signingSecret !== null && (
        <ShowOnce
          title="The rotation endpoint's signing secret"
          value={signingSecret}
          noun="signing secret"
          note="your endpoint checks the tessera-signature header of each rotation request with it."
          notify={notify}
          onHide={() => setSigningSecret(null)}
        />
      )}
      {items.length === 0 ? (
        <p className="empty">No secret is rotated by a rotator yet.</p>
      ) : (
        <table>
          <TableHead columns={['Secret', 'Rotator', 'Schedule', 'Last result', 'Next rotation', '']} />
          <tbody>
            {items.map((r: Rotation) => (
              <tr key={r.secret}>
                <td className="mono">{r.secret}</td>
                <td>{r.rotator === 'webhook' ? `webhook ${r.url ?? ''}` : `PostgreSQL ${(r.usernames ?? []).join(' / ')}`}</td>
                <td>{r.every === null ? 'manual' : `every ${r.every}`}</td>
                <td data-testid="rotation-result">
                  {r.lastResult === null ? (
                    'never'
                  ) : (
                    <span className={`badge ${r.lastResult === 'failed' ? 'overdue' : 'ok'}`}>{r.lastResult}</span>
                  )}
                  {r.lastError ? ` ${r.lastError} (${r.attempts} attempt${r.attempts === 1 ? '' : 's'})` : ''}
                </td>
                <td>{r.state === 'rotating' ? 'rotating now' : r.nextRotationAt ? when(r.nextRotationAt) : '—'}</td>
                <td>
                  {canWrite && (
                    <div className="row">
                      <button
                        type="button"
                        disabled={busy !== null}
                        onClick={() => void rotateNow(r.secret)}
                        aria-label={`Rotate now: ${r.secret}`}
                      >
                        Rotate now
                      </button>
                      <button type="button" className="danger" onClick={() => stop(r.secret)} aria-label={`Stop rotating ${r.secret}`}>
                        Stop rotating
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && names.length > 0 && (
        <form className="inline-form" aria-labelledby="set-rotation" onSubmit={configure}>
          <h3 id="set-rotation">Set a rotation</h3>
          <Field label="Secret">
            <select name="secret">
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </Field>
          <Field label="Rotator">
            <select name="rotator" value={rotator} onChange={(e) => setRotator(e.target.value as typeof rotator)}>
              <option value="postgres-alternating">PostgreSQL (alternating users)</option>
              <option value="webhook">Webhook</option>
            </select>
          </Field>
          {rotator === 'webhook' ? (
            <Field label="Endpoint URL">
              <input name="url" type="url" required placeholder="https://…" />
            </Field>
          ) : (
            <>
              <Field label="Connection">
                <input name="connection" required spellCheck={false} />
              </Field>
              <Field label="User A">
                <input name="userA" required spellCheck={false} />
              </Field>
              <Field label="User B">
                <input name="userB" required spellCheck={false} />
              </Field>
            </>
          )}
          <NumberField label="Every" hint="Empty: only when asked (Rotate now)." name="every" min={1} max={3650} />
          <Field label="Unit">
            <select name="unit">
              <option value="d">days</option>
              <option value="h">hours</option>
            </select>
          </Field>
          <button type="submit">Set rotation</button>
        </form>
      )}
    </section>
  );
}
