import { LoadStatus } from '../load-status.js';
import { startRegistration, WebAuthnError, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useState, type FormEvent } from 'react';
import { api, ApiError, type Answer } from '../api.js';
import { Field } from '../field.js';
import { formValues } from '../form-values.js';
import { when } from '../format.js';
import type { Notify } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';

type Passkey = Answer<'GET /console/api/passkeys'>['items'][number];

/** Passkeys are bound to a host name: at an IP address (`127.0.0.1`, `[::1]`) the browser refuses them. */
const atAddress = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

/** What to do when the console was opened at an IP address: open it by name, or set its origin. */
function hostNameAdvice(): string {
  const loopback = /^127\./.test(location.hostname) || location.hostname === '[::1]';
  const there = loopback ? ` at http://localhost${location.port ? `:${location.port}` : ''}/console/,` : ' by its host name,';
  return (
    `Passkeys need the console opened at a host name, not an IP address (${location.hostname}). Open it${there} or set the console ` +
    'origin (TESSERA_CONSOLE_ORIGIN, consoleOrigin in the configuration file) to the address people use, then add the passkey there.'
  );
}

/** What to say when the browser's ceremony ends without a credential. */
export function passkeyErrorText(err: unknown): string {
  if ((err as Error).name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
  if (((err as Error).name === 'SecurityError' || /invalid domain/i.test((err as Error).message)) && atAddress(location.hostname))
    return hostNameAdvice();
  if (err instanceof WebAuthnError && err.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return 'This authenticator holds one of your passkeys already.';
  return (err as Error).message;
}

/** The signed-in user's passkeys: each may stand in for the authenticator app's code at sign-in. */
export function PasskeysSection({ notify }: { notify: Notify }) {
  const [result, reload] = useLoad(() => api<Answer<'GET /console/api/passkeys'>>('GET', '/console/api/passkeys'), []);
  const [busy, setBusy] = useState(false);
  const supported = typeof window.PublicKeyCredential === 'function';

  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = formValues(form).name || 'Passkey';
    setBusy(true);
    api<PublicKeyCredentialCreationOptionsJSON>('POST', '/console/api/passkeys/registration/options')
      .then((optionsJSON) => startRegistration({ optionsJSON }))
      .then((response) => api('POST', '/console/api/passkeys/registration/verify', { response, name }))
      .then(
        () => {
          notify(`Added the passkey “${name}”.`);
          form.reset();
          reload();
        },
        (err: unknown) => notify(err instanceof ApiError ? err.detail : passkeyErrorText(err), 'error'),
      )
      .finally(() => setBusy(false));
  };
  const remove = (p: Passkey) => {
    if (!window.confirm(`Remove the passkey “${p.name}”? It will no longer sign you in.`)) return;
    api('DELETE', `/console/api/passkeys/${p.id}`)
      .then(
        () => notify(`Removed the passkey “${p.name}”.`),
        (err: Error) => notify(err.message, 'error'),
      )
      .finally(reload);
  };

  return (
    <>
      <p className="muted">
        A passkey (a security key, or your device&apos;s fingerprint, face or PIN) can stand in for the code from the authenticator app when
        you sign in. The app stays set up as well.
      </p>
      {result.state !== 'ready' && <LoadStatus result={result} failed="Your passkeys could not load" />}
      {result.state === 'ready' &&
        (result.data.items.length === 0 ? (
          <p>You have no passkeys yet.</p>
        ) : (
          <table className="passkeys">
            <TableHead columns={['Name', 'Added', 'Last used']} actions />
            <tbody>
              {result.data.items.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>{when(p.createdAt)}</td>
                  <td>{p.lastUsedAt === null ? 'never' : when(p.lastUsedAt)}</td>
                  <td>
                    <button type="button" className="danger" onClick={() => remove(p)} aria-label={`Remove the passkey ${p.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {supported && atAddress(location.hostname) ? (
        <p className="notice" data-testid="passkey-host">
          {hostNameAdvice()}
        </p>
      ) : supported ? (
        <form className="inline-form" aria-labelledby="add-passkey" onSubmit={add}>
          <h3 id="add-passkey">Add a passkey</h3>
          <Field label="Passkey name" hint="So you can tell your passkeys apart, e.g. “Work laptop” or “YubiKey”.">
            <input name="name" maxLength={100} autoComplete="off" />
          </Field>
          <button type="submit" disabled={busy} aria-busy={busy}>
            {busy ? 'Waiting for the passkey…' : 'Add a passkey'}
          </button>
        </form>
      ) : (
        <p className="muted">This browser does not support passkeys.</p>
      )}
    </>
  );
}
