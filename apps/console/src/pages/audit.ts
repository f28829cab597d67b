import { api } from '../api.js';
import { field, fill, formValues, h } from '../dom.js';
import { when } from '../format.js';
import type { PageContext } from '../main.js';

interface Entry {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export async function auditPage(main: HTMLElement, _ctx: PageContext): Promise<void> {
  const chain = h('div', { className: 'chain', role: 'status' }, 'Checking the chain…');
  const rows = h('tbody');
  const more = h('div');
  const form = h(
    'form',
    { className: 'filters', role: 'search', 'aria-label': 'Filter the audit log' },
    field('Action', h('input', { name: 'action', placeholder: 'e.g. key.revoked', list: 'audit-actions', spellcheck: 'false' })),
    field('Actor', h('input', { name: 'actor', placeholder: 'e.g. user:usr_…', spellcheck: 'false' })),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const actions = [
    'key.created',
    'key.updated',
    'key.enabled',
    'key.disabled',
    'key.revoked',
    'key.rolled',
    'key.deleted',
    'keyspace.created',
    'root_key.created',
    'root_key.revoked',
    'secret.read',
    'secret.written',
    'user.created',
    'user.login',
    'user.login_failed',
    'user.locked',
    'user.logout',
  ];
  const table = h(
    'table',
    { className: 'audit' },
    h('caption', { className: 'sr-only' }, 'Audit entries, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['#', 'Time', 'Actor', 'Action', 'Target', 'Source', 'Details'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    rows,
  );
  fill(
    main,
    h('h1', {}, 'Audit log'),
    chain,
    form,
    h(
      'datalist',
      { id: 'audit-actions' },
      actions.map((a) => h('option', { value: a })),
    ),
    table,
    more,
  );

  void api<{ ok: boolean; checked: number; firstBadSeq?: number; reason?: string; checkpoints?: unknown }>('GET', '/v1/audit/verify').then(
    (r) =>
      fill(
        chain,
        r.ok
          ? h('p', { className: 'ok' }, h('strong', {}, 'Chain verified: '), `all ${r.checked} entries link up and match their hashes.`)
          : h(
              'p',
              { className: 'bad' },
              h('strong', {}, 'Chain BROKEN: '),
              `entry #${r.firstBadSeq} (${r.reason}); ${r.checked} entries before it verified.`,
            ),
      ),
    (err: Error) => fill(chain, h('p', { className: 'error' }, `The chain could not be checked: ${err.message}`)),
  );

  const load = async (cursor?: string) => {
    const v = formValues(form);
    const q = new URLSearchParams({ limit: '50' });
    if (v.action) q.set('action', v.action);
    if (v.actor) q.set('actor', v.actor);
    if (cursor) q.set('cursor', cursor);
    let page: { items: Entry[]; nextCursor: string | null };
    try {
      page = await api('GET', `/v1/audit?${q}`);
    } catch (err) {
      fill(rows, h('tr', {}, h('td', { colspan: 7, className: 'error' }, (err as Error).message)));
      return;
    }
    if (!cursor) fill(rows);
    if (!cursor && page.items.length === 0)
      fill(rows, h('tr', {}, h('td', { colspan: 7, className: 'empty' }, 'No entries match these filters.')));
    for (const e of page.items) {
      const details = Object.entries(e.details)
        .map(([k, val]) => `${k}: ${typeof val === 'string' ? val : JSON.stringify(val)}`)
        .join('; ');
      rows.append(
        h(
          'tr',
          {},
          h('td', {}, e.seq),
          h('td', {}, when(e.ts)),
          h('td', { className: 'mono' }, e.actor),
          h('td', {}, h('code', {}, e.action)),
          h('td', { className: 'mono' }, e.target ?? '—'),
          h('td', {}, e.ip ?? '—'),
          h('td', { className: 'details' }, details || '—'),
        ),
      );
    }
    fill(more, page.nextCursor ? h('button', { type: 'button', onclick: () => void load(page.nextCursor!) }, 'Older entries') : null);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  await load();
}
