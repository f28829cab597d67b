import './styles.css';
import { api, ApiError, setCsrfToken, whenSignedOut, type SessionInfo } from './api.js';
import { fill, h } from './dom.js';
import { auditPage } from './pages/audit.js';
import { keysPage } from './pages/keys.js';
import { loginPage } from './pages/login.js';
import { oauthClientsPage } from './pages/oauth-clients.js';
import { overviewPage } from './pages/overview.js';
import { secretsPage } from './pages/secrets.js';
import { settingsPage } from './pages/settings.js';

export interface PageContext {
  session: SessionInfo;
  /** Shows a message in the page's live region (read out by screen readers). */
  notify(message: string, kind?: 'ok' | 'error'): void;
}

interface Page {
  path: string;
  title: string;
  /** Shown when the capability behind it is in this server, and the role may use it. */
  available(s: SessionInfo): boolean;
  render(main: HTMLElement, ctx: PageContext): Promise<void> | void;
}

const has = (s: SessionInfo, p: string) =>
  s.permissions.some((g) => g === '*' || g === p || (g.endsWith(':*') && p.startsWith(g.slice(0, -1))));

/** The navigation. Pages for capabilities that land later slot in here. */
const PAGES: Page[] = [
  { path: 'overview', title: 'Overview', available: () => true, render: overviewPage },
  { path: 'keys', title: 'Keys', available: (s) => has(s, 'keys:read'), render: keysPage },
  { path: 'secrets', title: 'Secrets', available: (s) => s.capabilities.secrets === true && has(s, 'secrets:read'), render: secretsPage },
  {
    path: 'oauth-clients',
    title: 'OAuth clients',
    available: (s) => s.capabilities.oauthClients === true && has(s, 'oauth:manage'),
    render: oauthClientsPage,
  },
  { path: 'audit', title: 'Audit log', available: (s) => has(s, 'audit:read'), render: auditPage },
  { path: 'settings', title: 'Settings', available: () => true, render: settingsPage },
];

const root = document.getElementById('app')!;
let session: SessionInfo | undefined;

function currentPath(): string {
  return location.hash.replace(/^#\/?/, '').split('?')[0] || 'overview';
}

async function start(): Promise<void> {
  whenSignedOut((reason) => {
    session = undefined;
    setCsrfToken(undefined);
    showLogin(reason);
  });
  try {
    session = await api<SessionInfo>('GET', '/console/api/session', undefined, { quiet401: true });
    setCsrfToken(session.csrfToken);
    render();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showLogin();
    else
      fill(
        root,
        h(
          'main',
          { id: 'main', className: 'narrow' },
          h('h1', {}, 'Tessera'),
          h('p', { className: 'error', role: 'alert' }, (err as Error).message),
        ),
      );
  }
}

function showLogin(reason?: string): void {
  document.title = 'Sign in · Tessera';
  loginPage(root, {
    ...(reason !== undefined && { notice: reason }),
    onSignedIn(s) {
      session = s;
      setCsrfToken(s.csrfToken);
      if (location.hash === '' || location.hash === '#/') location.hash = '#/overview';
      render();
    },
  });
}

function render(): void {
  if (session === undefined) return showLogin();
  const s = session;
  const pages = PAGES.filter((p) => p.available(s));
  const page = pages.find((p) => p.path === currentPath()) ?? pages[0]!;
  document.title = `${page.title} · Tessera`;
  const live = h('div', { className: 'toast', role: 'status', 'aria-live': 'polite' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const ctx: PageContext = {
    session: s,
    notify(message, kind = 'ok') {
      fill(live, h('p', { className: kind }, message));
      if (kind === 'ok') setTimeout(() => live.textContent === message && fill(live), 6000);
    },
  };
  const signOut = h('button', { type: 'button', className: 'link', onclick: () => void logout() }, 'Sign out');
  fill(
    root,
    h(
      'header',
      { className: 'top' },
      h('a', { className: 'brand', href: '#/overview' }, h('span', { 'aria-hidden': 'true', className: 'logo' }, '▣'), ' Tessera'),
      h(
        'nav',
        { 'aria-label': 'Main' },
        h(
          'ul',
          {},
          pages.map((p) => h('li', {}, h('a', { href: `#/${p.path}`, ...(p === page && { 'aria-current': 'page' }) }, p.title))),
        ),
      ),
      h('div', { className: 'who' }, h('span', {}, s.user.email, ' · ', h('span', { className: 'role' }, s.user.role)), signOut),
    ),
    live,
    main,
  );
  void Promise.resolve(page.render(main, ctx)).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return;
    fill(
      main,
      h('h1', {}, page.title),
      h('p', { className: 'error', role: 'alert' }, `This page could not load: ${(err as Error).message}`),
    );
  });
}

async function logout(): Promise<void> {
  try {
    await api('DELETE', '/console/api/session');
  } finally {
    session = undefined;
    setCsrfToken(undefined);
    showLogin('You are signed out.');
  }
}

window.addEventListener('hashchange', () => {
  if (session !== undefined) render();
});
void start();
