import { api, can } from '../api.js';
import { outcomeChart, type MinutePoint } from '../chart.js';
import { fill, h } from '../dom.js';
import { when } from '../format.js';
import type { PageContext } from '../main.js';

interface Overview {
  activeKeys: number | null;
  keyspaces: number | null;
  secretsDue: { name: string; rotation: string; rotateBy: string | null }[] | null;
  verifications: { windowMinutes: number; scope: string; series: MinutePoint[] } | null;
}

export async function overviewPage(main: HTMLElement, ctx: PageContext): Promise<void> {
  fill(main, h('h1', {}, 'Overview'), h('p', { className: 'muted', 'aria-busy': 'true' }, 'Loading…'));
  const [o, chain] = await Promise.all([
    api<Overview>('GET', '/console/api/overview'),
    can(ctx.session, 'audit:read')
      ? api<{ ok: boolean; checked: number; firstBadSeq?: number; reason?: string }>('GET', '/v1/audit/verify').catch(() => null)
      : Promise.resolve(null),
  ]);
  const tiles = h(
    'div',
    { className: 'tiles' },
    o.activeKeys === null ? null : tile('Active keys', String(o.activeKeys), '#/keys', 'tile-active-keys'),
    o.keyspaces === null ? null : tile('Keyspaces', String(o.keyspaces), '#/keys'),
    o.secretsDue === null ? null : tile('Secrets due for rotation', String(o.secretsDue.length), '#/secrets'),
    chain === null
      ? null
      : tile(
          'Audit chain',
          chain.ok ? `Intact (${chain.checked})` : `Broken at #${chain.firstBadSeq}`,
          '#/audit',
          undefined,
          chain.ok ? 'ok' : 'bad',
        ),
  );
  fill(
    main,
    h('h1', {}, 'Overview'),
    tiles,
    o.verifications === null
      ? null
      : h(
          'section',
          { 'aria-labelledby': 'verif-title' },
          h('h2', { id: 'verif-title' }, 'Verifications per minute, by outcome'),
          h(
            'p',
            { className: 'muted' },
            `The last ${o.verifications.windowMinutes} minutes on this server node. `,
            h('button', { type: 'button', className: 'link', onclick: () => void overviewPage(main, ctx) }, 'Refresh'),
          ),
          outcomeChart(o.verifications.series, { title: 'Verifications per minute by outcome', id: 'overview-chart' }),
        ),
    o.secretsDue !== null && o.secretsDue.length > 0
      ? h(
          'section',
          { 'aria-labelledby': 'due-title' },
          h('h2', { id: 'due-title' }, 'Secrets due for rotation'),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'Secret'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Rotate by')),
            ),
            h(
              'tbody',
              {},
              o.secretsDue.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, s.name),
                  h('td', {}, h('span', { className: `badge ${s.rotation}` }, s.rotation)),
                  h('td', {}, when(s.rotateBy)),
                ),
              ),
            ),
          ),
        )
      : null,
    ctx.session.capabilities.anomalies
      ? null
      : h('p', { className: 'muted small' }, 'Open anomalies appear here once anomaly detection is part of this server.'),
  );
}

function tile(label: string, value: string, href: string, testId?: string, tone?: 'ok' | 'bad'): HTMLElement {
  return h(
    'a',
    { className: `tile${tone ? ` ${tone}` : ''}`, href, ...(testId && { 'data-testid': testId }) },
    h('span', { className: 'tile-value' }, value),
    h('span', { className: 'tile-label' }, label),
  );
}
