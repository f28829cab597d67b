import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, errorText, setCsrfToken, type SessionInfo, type Answer } from '../api.js';
import { Field } from '../field.js';
import { FormError } from '../form-error.js';
import { formValues } from '../form-values.js';
import { QrCode } from '../qr-code.js';
import { passkeyErrorText } from './passkeys-section.js';

type Step = 'password' | 'secondFactor' | 'enrol' | { recoveryCodes: SessionInfo & { recoveryCodes: string[] } };

/** Sign-in: password, then the second factor (or its enrolment on the first sign-in). */
export function LoginPage({ notice, onSignedIn }: { notice?: string | undefined; onSignedIn(session: SessionInfo): void }) {
  const [step, setStep] = useState<Step>('password');
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(errorText(err));
  const status = <FormError error={error} />;

  let content;
  if (step === 'password') {
    const submit = (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      const v = formValues(e.currentTarget);
      // The server does not say here whether the password was right: only the second factor does.
      api<Answer<'POST /console/api/login'>>(
        'POST',
        '/console/api/login',
        { email: v.email, password: v.password },
        { quiet401: true },
      ).then((r) => {
        setCsrfToken(r.csrfToken);
        setError(null);
        setStep(r.next === 'totp' ? 'secondFactor' : 'enrol');
      }, fail);
    };
    content = (
      <>
        <h1 id="login-title">Sign in to Tessera</h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <UpstreamSignIn />
        <form aria-labelledby="login-title" noValidate onSubmit={submit}>
          <Field label="Email">
            <input name="email" type="email" autoComplete="username" required autoFocus />
          </Field>
          <Field label="Password">
            <input name="password" type="password" autoComplete="current-password" required />
          </Field>
          {status}
          <button type="submit" className="primary">
            Sign in
          </button>
        </form>
      </>
    );
  } else if (step === 'secondFactor')
    content = (
      <SecondFactor
        status={status}
        fail={fail}
        onSignedIn={onSignedIn}
        onRestart={() => {
          setError(null);
          setStep('password');
        }}
      />
    );
  else if (step === 'enrol')
    content = (
      <Enrolment
        status={status}
        fail={fail}
        onCancel={(err) => {
          fail(err);
          setStep('password');
        }}
        onEnrolled={(r) => {
          setError(null);
          setStep({ recoveryCodes: r });
        }}
      />
    );
  else content = <RecoveryCodes session={step.recoveryCodes} onDone={() => onSignedIn(step.recoveryCodes)} />;

  return (
    <main id="main" className="narrow card">
      {content}
    </main>
  );
}

/** "Sign in with <provider>", when the deployment signs in to the console with an upstream OpenID Provider. */
function UpstreamSignIn() {
  const [upstream, setUpstream] = useState<{ label: string; start: string } | null>(null);
  useEffect(() => {
    let current = true;
    api<Answer<'GET /console/api/sign-in-options'>>('GET', '/console/api/sign-in-options', undefined, { quiet401: true }).then(
      (r) => current && setUpstream(r.upstream),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  if (upstream === null) return null;
  return (
    <div className="upstream-sign-in">
      <a className="button primary" href={upstream.start}>
        Sign in with {upstream.label}
      </a>
      <p className="muted">Or with a console account:</p>
    </div>
  );
}

interface StepProps {
  status: ReactNode;
  fail(err: unknown): void;
}

function SecondFactor({ status, fail, onSignedIn, onRestart }: StepProps & { onSignedIn(session: SessionInfo): void; onRestart(): void }) {
  const passkey = typeof window.PublicKeyCredential === 'function';
  const [recovery, setRecovery] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const usePasskey = () => {
    setWaiting(true);
    api<PublicKeyCredentialRequestOptionsJSON>('POST', '/console/api/login/passkey/options', undefined, { quiet401: true })
      .then((optionsJSON) => startAuthentication({ optionsJSON }))
      .then((response) => api<SessionInfo>('POST', '/console/api/login/passkey/verify', { response }, { quiet401: true }))
      .then(onSignedIn, (err: unknown) => fail(err instanceof ApiError ? err : new Error(passkeyErrorText(err))))
      .finally(() => setWaiting(false));
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = formValues(e.currentTarget);
    api<SessionInfo>('POST', '/console/api/login/second-factor', recovery ? { recoveryCode: v.recoveryCode } : { code: v.code }, {
      quiet401: true,
    }).then(onSignedIn, fail);
  };
  return (
    <>
      <h1 id="tfa-title">Second factor</h1>
      <form aria-labelledby="tfa-title" onSubmit={submit}>
        {recovery ? (
          <Field label="Recovery code" hint="One of the codes you saved when you set up the app. Each works once.">
            <input key="recovery" name="recoveryCode" autoComplete="off" required spellCheck={false} autoFocus />
          </Field>
        ) : (
          <Field label="Code from your authenticator app" hint="6 digits; a new one every 30 seconds.">
            <input
              key="code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoFocus
            />
          </Field>
        )}
        {status}
        <button type="submit" className="primary">
          Verify
        </button>
        <button type="button" className="link" onClick={() => setRecovery(!recovery)}>
          {recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
        </button>
        <button type="button" className="link" onClick={onRestart}>
          Start again with the email and password
        </button>
      </form>
      {passkey && (
        <div className="passkey-option">
          <p className="muted">Or, instead of a code:</p>
          <button type="button" onClick={usePasskey} disabled={waiting} aria-busy={waiting}>
            {waiting ? 'Waiting for the passkey…' : 'Use a passkey'}
          </button>
        </div>
      )}
    </>
  );
}

function Enrolment({
  status,
  fail,
  onCancel,
  onEnrolled,
}: StepProps & { onCancel(err: unknown): void; onEnrolled(r: SessionInfo & { recoveryCodes: string[] }): void }) {
  const [setup, setSetup] = useState<{ secret: string; uri: string } | null>(null);
  useEffect(() => {
    let current = true;
    api<Answer<'POST /console/api/enrolment'>>('POST', '/console/api/enrolment', undefined, { quiet401: true }).then(
      (s) => current && setSetup(s),
      (err: unknown) => current && onCancel(err),
    );
    return () => {
      current = false;
    };
    // One enrolment per visit to this step.
  }, []);

  if (setup === null)
    return (
      <>
        <h1 id="enrol-title">Set up two-factor sign-in</h1>
        <p className="muted" aria-busy="true">
          Preparing…
        </p>
      </>
    );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    api<SessionInfo & { recoveryCodes: string[] }>(
      'POST',
      '/console/api/enrolment/confirm',
      { code: formValues(e.currentTarget).code },
      { quiet401: true },
    ).then(onEnrolled, fail);
  };
  return (
    <>
      <h1 id="enrol-title">Set up two-factor sign-in</h1>
      <p>Tessera asks for a code from an authenticator app (any TOTP app) at every sign-in. Add this account to your app:</p>
      <div className="setup">
        <QrCode text={setup.uri} label="QR code of the authenticator setup link: scan it with the app" />
        <dl>
          <dt>Or type the secret in</dt>
          <dd>
            <code className="secret" data-testid="totp-secret">
              {setup.secret.replace(/(.{4})/g, '$1 ').trim()}
            </code>
          </dd>
          <dt>Or open this link on the device</dt>
          <dd>
            <code className="uri" data-testid="totp-uri">
              {setup.uri}
            </code>
          </dd>
        </dl>
      </div>
      <form aria-labelledby="enrol-title" onSubmit={submit}>
        <Field label="Code from the app" hint="Enter the 6-digit code the app shows, to prove it is set up.">
          <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
        </Field>
        {status}
        <button type="submit" className="primary">
          Turn on two-factor sign-in
        </button>
      </form>
    </>
  );
}

function RecoveryCodes({ session, onDone }: { session: SessionInfo & { recoveryCodes: string[] }; onDone(): void }) {
  return (
    <>
      <h1 id="rc-title">Save your recovery codes</h1>
      <p>
        If you lose the device with the app, each of these codes signs you in once. They are shown now and never again: print them or keep
        them in a password manager.
      </p>
      <ol className="codes" data-testid="recovery-codes">
        {session.recoveryCodes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="buttons">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(session.recoveryCodes.join('\n'))}>
          Copy the codes
        </button>
        <button type="button" className="primary" onClick={onDone} autoFocus>
          I have saved them — continue
        </button>
      </div>
    </>
  );
}
