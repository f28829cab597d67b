import { useState, type FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { duration, when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { Notify } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';

type SigningKey = Answer<'GET /v1/oauth/signing-keys'>['items'][number];

const ROLES: Record<SigningKey['state'], string> = {
  next: 'published, signs next',
  current: 'signing',
  previous: 'stopped signing, still published',
};

/** What a person types to retire a key: the first characters of its id. */
const confirmationOf = (kid: string) => kid.slice(0, 8);

/**
 * The authorization server's signing keys (`GET /v1/oauth/signing-keys`): the role each plays,
 * when it signs and retires, the rotation period they follow, and an emergency retire
 * (`POST /v1/oauth/signing-keys/{kid}/retire`) behind a typed confirmation.
 */
export function SigningKeysSection({ notify }: { notify: Notify }) {
  const [result, reload] = useLoad(() => api<Answer<'GET /v1/oauth/signing-keys'>>('GET', '/v1/oauth/signing-keys'), []);
  const [retiring, setRetiring] = useState<SigningKey | null>(null);
  if (result.state !== 'ready')
    return (
      <section aria-labelledby="sk-title">
        <h2 id="sk-title">Token signing keys</h2>
        <LoadStatus result={result} failed="The signing keys could not load" />
      </section>
    );
  const { items } = result.data;
  // The period is the server's setting; a current key's span from signing to retiring shows it.
  const current = items.find((k) => k.state === 'current');
  const period = current && Math.round((Date.parse(current.retiresAt) - Date.parse(current.activatesAt)) / 1000);

  return (
    <section aria-labelledby="sk-title" className="signing-keys">
      <h2 id="sk-title">Token signing keys</h2>
      <p className="muted small" data-testid="rotation-period">
        {period !== undefined && period > 0 ? `Each key signs for ${duration(period)}, then the next takes over. ` : ''}
        The period is the server’s setting <code>TESSERA_OAUTH_SIGNING_KEY_ROTATION_DAYS</code> (30 days unless set); a key is published in
        the JWKS a whole period before it signs, and kept there for a day after it stops.
      </p>
      {items.length === 0 ? (
        <p className="empty">No signing key yet: the first token request makes one.</p>
      ) : (
        <DataTable
          label="Token signing keys"
          columns={['Key id', 'Algorithm', 'State', 'Signs from', 'Stops signing', 'Leaves the JWKS']}
          actions
        >
          {items.map((k) => (
            <tr key={k.kid} data-kid={k.kid}>
              <td className="mono">
                <span className="truncate" title={k.kid}>
                  {k.kid}
                </span>
              </td>
              <td>{k.alg}</td>
              <td>
                <span className={`badge ${k.state === 'current' ? 'active' : 'disabled'}`}>{k.state}</span>{' '}
                <span className="small muted">{ROLES[k.state]}</span>
              </td>
              <td className="nowrap">{when(k.activatesAt)}</td>
              <td className="nowrap">{when(k.retiresAt)}</td>
              <td className="nowrap">{when(k.expiresAt)}</td>
              <td>
                <button type="button" className="danger" aria-label={`Retire the signing key ${k.kid} now`} onClick={() => setRetiring(k)}>
                  Retire
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {retiring && (
        <RetireSigningKey
          key={retiring.kid}
          signingKey={retiring}
          onCancel={() => setRetiring(null)}
          onRetired={(r) => {
            setRetiring(null);
            notify(
              `Retired the signing key ${r.kid}.` +
                (r.successor !== null ? ` The key ${r.successor} signs from now on.` : ' It was not signing.'),
            );
            reload();
          }}
        />
      )}
    </section>
  );
}

function RetireSigningKey({
  signingKey: k,
  onCancel,
  onRetired,
}: {
  signingKey: SigningKey;
  onCancel(): void;
  onRetired(r: Answer<'POST /v1/oauth/signing-keys/{kid}/retire'>): void;
}) {
  const [typed, setTyped] = useState('');
  const { error, setError, send } = useFormSend();
  const expected = confirmationOf(k.kid);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (typed.trim() !== expected) return setError(`Type ${expected} to confirm.`);
    const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
    send(
      api<Answer<'POST /v1/oauth/signing-keys/{kid}/retire'>>(
        'POST',
        `/v1/oauth/signing-keys/${encodeURIComponent(k.kid)}/retire`,
        reason ? { reason } : {},
      ),
      onRetired,
    );
  };
  return (
    <form className="card danger-zone" aria-labelledby="sk-retire" onSubmit={submit}>
      <h3 id="sk-retire">Retire the signing key {k.kid} now</h3>
      <p>For a key that must go at once, such as one exposed in a backup. Retiring it:</p>
      <ul>
        <li>removes it from the JWKS on every node at once;</li>
        <li>makes every token it signed stop introspecting as active, and forward auth refuses them: clients ask for a new token;</li>
        <li>
          {k.state === 'current'
            ? 'hands signing to the next key of its algorithm (a fresh one is made if there is none), and publishes a new next key;'
            : 'publishes a new key in its place;'}
        </li>
        <li>cannot be undone. Verifiers that cache the JWKS drop the key when they read it again (10 minutes at most by default).</li>
      </ul>
      <div className="edit-grid">
        <Field label="Reason (for the audit log)" hint="No secrets.">
          <input name="reason" maxLength={200} autoComplete="off" />
        </Field>
        <Field label={`Type ${expected} to confirm`} hint="The first 8 characters of the key id.">
          <input name="confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} autoFocus />
        </Field>
      </div>
      <FormFooter error={error} submit="Retire the key" danger disabled={typed.trim() !== expected} onCancel={onCancel} />
    </form>
  );
}
