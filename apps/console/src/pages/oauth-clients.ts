import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { when } from '../format.js';
import type { PageContext } from '../main.js';

export async function oauthClientsPage(main: HTMLElement, _ctx: PageContext): Promise<void> {
  fill(main, h('h1', {}, 'OAuth clients'), h('p', { className: 'muted' }, 'Loading…'));
  const r = await api<{
    items: { clientId?: string; id?: string; name?: string; grantTypes?: string[]; scopes?: string[]; createdAt?: string }[];
  }>('GET', '/v1/oauth/clients');
  fill(
    main,
    h('h1', {}, 'OAuth clients'),
    h(
      'p',
      { className: 'muted' },
      'Machine-to-machine clients of the authorization server. Create and rotate them with the API or `tessera oauth clients`.',
    ),
    r.items.length === 0
      ? h('p', { className: 'empty' }, 'No OAuth clients yet.')
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Client', 'Name', 'Grants', 'Scopes', 'Created'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            r.items.map((c) =>
              h(
                'tr',
                {},
                h('td', { className: 'mono' }, c.clientId ?? c.id),
                h('td', {}, c.name ?? '—'),
                h('td', {}, (c.grantTypes ?? []).join(', ')),
                h('td', {}, (c.scopes ?? []).join(' ')),
                h('td', {}, when(c.createdAt)),
              ),
            ),
          ),
        ),
  );
}
