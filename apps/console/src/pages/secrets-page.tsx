import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { Notify, PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { SecretRotations } from './secret-rotations.js';

type SecretSummary = Answer<'GET /v1/secrets'>['items'][number];

const path = (name: string) => `/v1/secrets/${name.split('/').map(encodeURIComponent).join('/')}`;

export function SecretsPage({ session, notify }: PageProps) {
  const canWrite = can(session, 'secrets:write');
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/secrets'>>('GET', '/v1/secrets'), []);
  if (result.state !== 'ready') return <LoadStatus title="Secrets" result={result} />;
  const { items } = result.data;

  const store = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    api<Answer<'PUT /v1/secrets/{*}'>>('PUT', path(v.name!), {
      value: v.value,
      ...(v.rotateBy && { rotateBy: new Date(v.rotateBy).toISOString() }),
    }).then(
      (r) => {
        notify(`Stored ${r.name}, version ${r.version}.`);
        form.reset();
        reload();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };

  return (
    <>
      <h1>Secrets</h1>
      <p className="muted">Values stay hidden until you reveal one; every reveal is written to the audit log.</p>
      {items.length === 0 ? (
        <p className="empty">No secrets yet.{canWrite && ' Store the first one below.'}</p>
      ) : (
        <table>
          <TableHead columns={['Name', 'Version', 'Rotation', 'Updated', 'Value']} />
          <tbody>
            {items.map((s) => (
              <SecretRow key={`${s.name}@${s.version}`} secret={s} notify={notify} />
            ))}
          </tbody>
        </table>
      )}
      {canWrite && (
        <form className="inline-form" aria-labelledby="new-secret" onSubmit={store}>
          <h2 id="new-secret">Store a secret</h2>
          <Field label="Name">
            <input name="name" required placeholder="payments/stripe" spellCheck={false} />
          </Field>
          <Field label="Value" hint="Encrypted at rest; a new value becomes a new version.">
            <input name="value" type="password" required autoComplete="off" />
          </Field>
          <Field label="Rotate by">
            <input name="rotateBy" type="date" />
          </Field>
          <button type="submit" className="primary">
            Store
          </button>
        </form>
      )}
      <SecretRotations names={items.map((s) => s.name)} canWrite={canWrite} notify={notify} onRotated={reload} />
    </>
  );
}

/** A secret's row: its value hidden until revealed (each reveal is audited), then copy or hide. */
function SecretRow({ secret: s, notify }: { secret: SecretSummary; notify: Notify }) {
  const [revealed, setRevealed] = useState<{ value: string; version: number } | null>(null);
  const revealButton = useRef<HTMLButtonElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);
  // Focus follows the change: to Copy once revealed, back to Reveal once hidden.
  useEffect(() => {
    if (!moved.current) return;
    (revealed ? copyButton : revealButton).current?.focus();
  }, [revealed]);

  const reveal = async () => {
    try {
      const r = await api<Answer<'GET /v1/secrets/{*}'>>('GET', path(s.name));
      moved.current = true;
      setRevealed(r);
      notify(`Revealed ${s.name} (version ${r.version}); the reveal is audited.`);
    } catch (err) {
      notify((err as Error).message, 'error');
    }
  };

  return (
    <tr>
      <td className="mono">{s.name}</td>
      <td>{s.version}</td>
      <td>
        <span className={`badge ${s.rotation}`}>{s.rotation === 'none' ? 'no date' : s.rotation}</span>
        {s.rotateBy ? ` ${when(s.rotateBy)}` : ''}
      </td>
      <td>{when(s.updatedAt)}</td>
      <td className="secret-cell">
        {revealed === null ? (
          <>
            <span className="masked" aria-label="hidden value">
              ••••••••
            </span>{' '}
            <button type="button" ref={revealButton} onClick={() => void reveal()} aria-label={`Reveal ${s.name}`}>
              Reveal
            </button>
          </>
        ) : (
          <>
            <code className="revealed" data-testid="secret-value">
              {revealed.value}
            </code>{' '}
            <button
              type="button"
              ref={copyButton}
              onClick={() => void navigator.clipboard?.writeText(revealed.value).then(() => notify('Copied.'))}
            >
              Copy
            </button>{' '}
            <button type="button" onClick={() => setRevealed(null)}>
              Hide
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
