import { api, ApiError, setCsrfToken, type SessionInfo } from '../api.js';
import { field, fill, formValues, h } from '../dom.js';

interface LoginOptions {
  notice?: string;
  onSignedIn(session: SessionInfo): void;
}

/** Sign-in: password, then the second factor (or its enrolment on the first sign-in). */
export function loginPage(root: HTMLElement, opts: LoginOptions): void {
  const status = h('div', { role: 'alert', className: 'form-error' });
  const main = h('main', { id: 'main', className: 'narrow card' });
  fill(root, main);
  const fail = (err: unknown) => fill(status, h('p', { className: 'error' }, err instanceof ApiError ? err.detail : String(err)));

  const password = () => {
    const form = h(
      'form',
      { 'aria-labelledby': 'login-title', novalidate: true },
      field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true })),
      field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
      status,
      h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(form);
      void api<{ next: 'totp' | 'enroll'; csrfToken: string }>(
        'POST',
        '/console/api/login',
        { email: v.email, password: v.password },
        { quiet401: true },
      ).then((r) => {
        setCsrfToken(r.csrfToken);
        fill(status);
        if (r.next === 'totp') secondFactor();
        else void enrol();
      }, fail);
    });
    fill(
      main,
      h('h1', { id: 'login-title' }, 'Sign in to Tessera'),
      opts.notice ? h('p', { className: 'notice', role: 'status' }, opts.notice) : null,
      form,
    );
    (form.querySelector('input') as HTMLInputElement).focus();
  };

  const secondFactor = () => {
    let recovery = false;
    const render = () => {
      const input = recovery
        ? h('input', { name: 'recoveryCode', autocomplete: 'off', required: true, spellcheck: 'false' })
        : h('input', {
            name: 'code',
            inputmode: 'numeric',
            autocomplete: 'one-time-code',
            pattern: '[0-9]{6}',
            maxlength: 6,
            required: true,
          });
      const form = h(
        'form',
        { 'aria-labelledby': 'tfa-title' },
        field(
          recovery ? 'Recovery code' : 'Code from your authenticator app',
          input,
          recovery ? 'One of the codes you saved when you set up the app. Each works once.' : '6 digits; a new one every 30 seconds.',
        ),
        status,
        h('button', { type: 'submit', className: 'primary' }, 'Verify'),
        h(
          'button',
          { type: 'button', className: 'link', onclick: () => ((recovery = !recovery), render()) },
          recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead',
        ),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = formValues(form);
        void api<SessionInfo>('POST', '/console/api/login/second-factor', recovery ? { recoveryCode: v.recoveryCode } : { code: v.code }, {
          quiet401: true,
        }).then(opts.onSignedIn, fail);
      });
      fill(main, h('h1', { id: 'tfa-title' }, 'Second factor'), form);
      input.focus();
    };
    render();
  };

  const enrol = async () => {
    let setup: { secret: string; uri: string; qrSvg: string | null };
    try {
      setup = await api('POST', '/console/api/enrolment', undefined, { quiet401: true });
    } catch (err) {
      fail(err);
      return;
    }
    const code = h('input', {
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: 6,
      required: true,
    });
    const form = h(
      'form',
      { 'aria-labelledby': 'enrol-title' },
      field('Code from the app', code, 'Enter the 6-digit code the app shows, to prove it is set up.'),
      status,
      h('button', { type: 'submit', className: 'primary' }, 'Turn on two-factor sign-in'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void api<SessionInfo & { recoveryCodes: string[] }>(
        'POST',
        '/console/api/enrolment/confirm',
        { code: formValues(form).code },
        { quiet401: true },
      ).then((r) => showRecovery(r), fail);
    });
    const qr =
      setup.qrSvg === null
        ? null
        : h('img', {
            className: 'qr',
            alt: 'QR code of the authenticator setup link',
            src: `data:image/svg+xml;base64,${btoa(setup.qrSvg)}`,
          });
    fill(
      main,
      h('h1', { id: 'enrol-title' }, 'Set up two-factor sign-in'),
      h('p', {}, 'Tessera asks for a code from an authenticator app (any TOTP app) at every sign-in. Add this account to your app:'),
      qr,
      h(
        'dl',
        { className: 'setup' },
        h('dt', {}, 'Secret (type it in)'),
        h('dd', {}, h('code', { className: 'secret', 'data-testid': 'totp-secret' }, setup.secret.replace(/(.{4})/g, '$1 ').trim())),
        h('dt', {}, 'Or open this link on the device'),
        h('dd', {}, h('code', { className: 'uri' }, setup.uri)),
      ),
      form,
    );
    code.focus();
  };

  const showRecovery = (r: SessionInfo & { recoveryCodes: string[] }) => {
    const list = h(
      'ol',
      { className: 'codes', 'data-testid': 'recovery-codes' },
      r.recoveryCodes.map((c) => h('li', {}, h('code', {}, c))),
    );
    const done = h('button', { type: 'button', className: 'primary', onclick: () => opts.onSignedIn(r) }, 'I have saved them — continue');
    fill(
      main,
      h('h1', { id: 'rc-title' }, 'Save your recovery codes'),
      h(
        'p',
        {},
        'If you lose the device with the app, each of these codes signs you in once. They are shown now and never again: print them or keep them in a password manager.',
      ),
      list,
      h('button', { type: 'button', onclick: () => void navigator.clipboard?.writeText(r.recoveryCodes.join('\n')) }, 'Copy the codes'),
      ' ',
      done,
    );
    done.focus();
  };

  password();
}
