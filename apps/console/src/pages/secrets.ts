import { api, can } from '../api.js';
import { field, fill, formValues, h } from '../dom.js';
import { when } from '../format.js';
import type { PageContext } from '../main.js';

interface SecretSummary {
  name: string;
  version: number;
  rotateBy: string | null;
  rotation: 'none' | 'ok' | 'due' | 'overdue';
  updatedAt: string;
}

const path = (name: string) => `/v1/secrets/${name.split('/').map(encodeURIComponent).join('/')}`;

export async function secretsPage(main: HTMLElement, ctx: PageContext): Promise<void> {
  const list = h('div');
  const canWrite = can(ctx.session, 'secrets:write');
  const form = h(
    'form',
    { className: 'inline-form', 'aria-labelledby': 'new-secret' },
    h('h2', { id: 'new-secret' }, 'Store a secret'),
    field('Name', h('input', { name: 'name', required: true, placeholder: 'payments/stripe', spellcheck: 'false' })),
    field(
      'Value',
      h('input', { name: 'value', type: 'password', required: true, autocomplete: 'off' }),
      'Encrypted at rest; a new value becomes a new version.',
    ),
    field('Rotate by', h('input', { name: 'rotateBy', type: 'date' })),
    h('button', { type: 'submit', className: 'primary' }, 'Store'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    void api<{ name: string; version: number }>('PUT', path(v.name!), {
      value: v.value,
      ...(v.rotateBy && { rotateBy: new Date(v.rotateBy).toISOString() }),
    }).then(
      (r: { name: string; version: number }) => {
        ctx.notify(`Stored ${r.name}, version ${r.version}.`);
        form.reset();
        void load();
      },
      (err: Error) => ctx.notify(err.message, 'error'),
    );
  });
  fill(
    main,
    h('h1', {}, 'Secrets'),
    h('p', { className: 'muted' }, 'Values stay hidden until you reveal one; every reveal is written to the audit log.'),
    list,
    canWrite ? form : null,
  );

  const load = async () => {
    const r = await api<{ items: SecretSummary[] }>('GET', '/v1/secrets');
    if (r.items.length === 0)
      return fill(list, h('p', { className: 'empty' }, 'No secrets yet.', canWrite ? ' Store the first one below.' : ''));
    fill(
      list,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Name', 'Version', 'Rotation', 'Updated', 'Value'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          r.items.map((s) => row(s)),
        ),
      ),
    );
  };

  const row = (s: SecretSummary) => {
    const cell = h('td', { className: 'secret-cell' });
    const hidden = () =>
      fill(
        cell,
        h('span', { className: 'masked', 'aria-label': 'hidden value' }, '••••••••'),
        ' ',
        h('button', { type: 'button', onclick: () => void reveal(), 'aria-label': `Reveal ${s.name}` }, 'Reveal'),
      );
    const reveal = async () => {
      try {
        const r = await api<{ value: string; version: number }>('GET', path(s.name));
        fill(
          cell,
          h('code', { className: 'revealed', 'data-testid': 'secret-value' }, r.value),
          ' ',
          h(
            'button',
            { type: 'button', onclick: () => void navigator.clipboard?.writeText(r.value).then(() => ctx.notify('Copied.')) },
            'Copy',
          ),
          ' ',
          h('button', { type: 'button', onclick: hidden }, 'Hide'),
        );
        ctx.notify(`Revealed ${s.name} (version ${r.version}); the reveal is audited.`);
      } catch (err) {
        ctx.notify((err as Error).message, 'error');
      }
    };
    hidden();
    return h(
      'tr',
      {},
      h('td', { className: 'mono' }, s.name),
      h('td', {}, s.version),
      h(
        'td',
        {},
        h('span', { className: `badge ${s.rotation}` }, s.rotation === 'none' ? 'no date' : s.rotation),
        s.rotateBy ? ` ${when(s.rotateBy)}` : '',
      ),
      h('td', {}, when(s.updatedAt)),
      cell,
    );
  };
  await load();
}
