import { api, can } from '../api.js';
import { field, fill, formValues, h } from '../dom.js';
import { when } from '../format.js';
import type { PageContext } from '../main.js';

interface SigningKey {
  kid?: string;
  id?: string;
  alg?: string;
  status?: string;
  state?: string;
  expiresAt?: string;
}

interface User {
  id: string;
  email: string;
  name: string | null;
  role: 'owner' | 'admin' | 'viewer';
  totpEnrolled: boolean;
  recoveryCodesLeft: number;
  locked: boolean;
  disabled: boolean;
  lastLoginAt: string | null;
}

export async function settingsPage(main: HTMLElement, ctx: PageContext): Promise<void> {
  const me = ctx.session.user;
  const users = h('div');
  const pw = h(
    'form',
    { className: 'inline-form', 'aria-labelledby': 'pw-title' },
    h('h2', { id: 'pw-title' }, 'Change your password'),
    field('Current password', h('input', { name: 'current', type: 'password', autocomplete: 'current-password', required: true })),
    field(
      'New password',
      h('input', { name: 'next', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 }),
      'At least 12 characters.',
    ),
    h('button', { type: 'submit' }, 'Change password'),
  );
  pw.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(pw);
    void api('POST', '/console/api/me/password', { current: v.current, next: v.next }, { quiet401: true }).then(
      () => {
        pw.reset();
        ctx.notify('Your password is changed.');
      },
      (err: Error) => ctx.notify(err.message, 'error'),
    );
  });

  fill(
    main,
    h('h1', {}, 'Settings'),
    h(
      'section',
      { 'aria-labelledby': 'acct-title', className: 'card' },
      h('h2', { id: 'acct-title' }, 'Your account'),
      h(
        'dl',
        { className: 'attrs' },
        h('dt', {}, 'Email'),
        h('dd', {}, me.email),
        h('dt', {}, 'Role'),
        h('dd', {}, me.role),
        h('dt', {}, 'Two-factor sign-in'),
        h('dd', {}, me.totpEnrolled ? 'On (authenticator app)' : 'Off'),
        h('dt', {}, 'Recovery codes left'),
        h('dd', {}, me.recoveryCodesLeft),
        h('dt', {}, 'Session'),
        h(
          'dd',
          {},
          `ends after ${Math.round(ctx.session.idleTimeoutSeconds / 60)} idle minutes, at the latest ${when(ctx.session.expiresAt)}`,
        ),
      ),
      pw,
    ),
    can(ctx.session, 'users:manage')
      ? h('section', { 'aria-labelledby': 'users-title', className: 'card' }, h('h2', { id: 'users-title' }, 'Console users'), users)
      : null,
    h(
      'section',
      { 'aria-labelledby': 'keyring-title', className: 'card', id: 'keyring-status' },
      h('h2', { id: 'keyring-title' }, 'Keyring and signing keys'),
      h('p', { className: 'muted' }, 'Loading…'),
    ),
  );

  void keyringStatus(main.querySelector('#keyring-status')!, ctx);
  if (!can(ctx.session, 'users:manage')) return;

  const load = async () => {
    const r = await api<{ items: User[] }>('GET', '/console/api/users');
    fill(
      users,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Email', 'Role', 'Two-factor', 'Last sign-in', 'State', ''].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          r.items.map((u) => {
            const role = h(
              'select',
              { 'aria-label': `Role of ${u.email}`, disabled: u.id === me.id },
              ['owner', 'admin', 'viewer'].map((x) => h('option', { value: x, ...(x === u.role && { selected: true }) }, x)),
            );
            role.addEventListener('change', () => void patch(u, { role: role.value }, `${u.email} is now ${role.value}.`));
            return h(
              'tr',
              {},
              h('td', {}, u.email),
              h('td', {}, role),
              h('td', {}, u.totpEnrolled ? 'enrolled' : 'at first sign-in'),
              h('td', {}, when(u.lastLoginAt)),
              h(
                'td',
                {},
                u.disabled
                  ? h('span', { className: 'badge revoked' }, 'disabled')
                  : u.locked
                    ? h('span', { className: 'badge disabled' }, 'locked')
                    : h('span', { className: 'badge active' }, 'active'),
              ),
              h(
                'td',
                {},
                u.id === me.id
                  ? null
                  : h(
                      'button',
                      {
                        type: 'button',
                        onclick: () =>
                          void patch(
                            u,
                            { disabled: !u.disabled },
                            u.disabled ? `${u.email} is enabled.` : `${u.email} is disabled and signed out.`,
                          ),
                      },
                      u.disabled ? 'Enable' : 'Disable',
                    ),
                u.locked
                  ? h('button', { type: 'button', onclick: () => void patch(u, { unlock: true }, `${u.email} is unlocked.`) }, 'Unlock')
                  : null,
              ),
            );
          }),
        ),
      ),
      addForm(),
    );
  };
  const patch = (u: User, body: Record<string, unknown>, message: string) =>
    api('PATCH', `/console/api/users/${u.id}`, body).then(
      () => {
        ctx.notify(message);
        void load();
      },
      (err: Error) => ctx.notify(err.message, 'error'),
    );
  const addForm = () => {
    const form = h(
      'form',
      { className: 'inline-form', 'aria-labelledby': 'add-user' },
      h('h3', { id: 'add-user' }, 'Add a console user'),
      field('Email', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' })),
      field(
        'Role',
        h(
          'select',
          { name: 'role' },
          ['viewer', 'admin', 'owner'].map((x) => h('option', { value: x }, x)),
        ),
      ),
      field(
        'Initial password',
        h('input', { name: 'password', type: 'password', required: true, minlength: 12, autocomplete: 'new-password' }),
        'Give it to them in person; they set up two-factor sign-in at their first sign-in.',
      ),
      h('button', { type: 'submit' }, 'Add user'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(form);
      void api('POST', '/console/api/users', { email: v.email, role: v.role, password: v.password }).then(
        () => {
          ctx.notify(`Added ${v.email}.`);
          void load();
        },
        (err: Error) => ctx.notify(err.message, 'error'),
      );
    });
    return form;
  };
  await load();
}

async function keyringStatus(section: Element, ctx: PageContext): Promise<void> {
  const parts: HTMLElement[] = [h('h2', { id: 'keyring-title' }, 'Keyring and signing keys')];
  if (ctx.session.capabilities.oauthClients && can(ctx.session, 'oauth:manage')) {
    try {
      const r = await api<{ items?: SigningKey[]; keys?: SigningKey[] }>('GET', '/v1/oauth/signing-keys');
      const keys = r.items ?? r.keys ?? [];
      parts.push(
        h('h3', {}, 'Token signing keys'),
        keys.length === 0
          ? h('p', { className: 'empty' }, 'None yet: the first is made when a token is issued.')
          : h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Key id', 'Algorithm', 'Status', 'Expires'].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                {},
                keys.map((k) =>
                  h(
                    'tr',
                    {},
                    h('td', { className: 'mono' }, k.kid ?? k.id ?? '—'),
                    h('td', {}, k.alg ?? '—'),
                    h('td', {}, k.status ?? k.state ?? '—'),
                    h('td', {}, when(k.expiresAt)),
                  ),
                ),
              ),
            ),
      );
    } catch (err) {
      parts.push(h('p', { className: 'error' }, `Signing keys could not be read: ${(err as Error).message}`));
    }
  }
  parts.push(
    h(
      'p',
      { className: 'muted' },
      'The key-encryption key and data-key versions are shown by `tessera keyring status` on the server; they are not exposed over HTTP.',
    ),
  );
  fill(section, ...parts);
}
