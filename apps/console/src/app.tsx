import { useCallback, useEffect, useState, type ComponentType } from 'react';
import { api, ApiError, can, chooseWorkspace, errorText, setCsrfToken, whenChangeMade, whenSignedOut, type SessionInfo } from './api.js';
import type { Notify, PageProps } from './page-props.js';
import { AnalyticsPage } from './pages/analytics-page.js';
import { AnomaliesPage } from './pages/anomalies-page.js';
import { AuditPage } from './pages/audit-page.js';
import { DatabasesPage } from './pages/databases-page.js';
import { EndUsersPage } from './pages/end-users-page.js';
import { GatewayPage } from './pages/gateway-page.js';
import { HygienePage } from './pages/hygiene-page.js';
import { KeyPage } from './pages/key-page.js';
import { KeysPage } from './pages/keys-page.js';
import { LoginPage } from './pages/login-page.js';
import { OAuthClientsPage } from './pages/oauth-clients-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { RootKeysPage } from './pages/root-keys-page.js';
import { SecretsPage } from './pages/secrets-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { SuspensionsPage } from './pages/suspensions-page.js';
import { pathOf, useHash } from './use-hash.js';
import { WorkspacesPage } from './pages/workspaces-page.js';
import { WorkspaceSwitcher } from './workspace-switcher.js';
import { loadSession } from './session.js';
import { SkipLink } from './skip-link.js';

interface Page {
  path: string;
  title: string;
  /** Shown when the capability behind it is in this server, and the role may use it. */
  available(s: SessionInfo): boolean;
  Component: ComponentType<PageProps>;
  /** A page reached by links only (one key's), not from the navigation. */
  linked?: true;
}

/** What a signed-in person sees at the address of a page their role may not open. */
function NoPermission({ page, session }: { page: Page; session: SessionInfo }) {
  return (
    <>
      <h1>You do not have permission to see {page.title}</h1>
      <p>
        Your role, <strong>{session.user.role}</strong>, does not include this page. Ask an owner of this Tessera to give you a role that
        does, or go back to the <a href="#/overview">Overview</a>.
      </p>
    </>
  );
}

/** Whether the server has the feature `capability` and the session the permission to use it. */
const withFeature =
  (capability: keyof SessionInfo['capabilities'], permission: string) =>
  (s: SessionInfo): boolean =>
    s.capabilities[capability] === true && can(s, permission);

/** The navigation. Pages for capabilities that land later slot in here. */
const PAGES: Page[] = [
  { path: 'overview', title: 'Overview', available: () => true, Component: OverviewPage },
  { path: 'keys', title: 'Keys', available: (s) => can(s, 'keys:read'), Component: KeysPage },
  { path: 'key', title: 'Key', available: (s) => can(s, 'keys:read'), Component: KeyPage, linked: true },
  { path: 'analytics', title: 'Analytics', available: (s) => can(s, 'analytics:read'), Component: AnalyticsPage },
  { path: 'anomalies', title: 'Anomalies', available: withFeature('anomalies', 'anomalies:read'), Component: AnomaliesPage },
  { path: 'suspensions', title: 'Suspensions', available: withFeature('anomalies', 'anomalies:read'), Component: SuspensionsPage },
  {
    path: 'hygiene',
    title: 'Hygiene',
    available: (s) => s.capabilities.hygiene === true && can(s, 'keys:read') && can(s, 'keyspaces:read'),
    Component: HygienePage,
  },
  { path: 'gateway', title: 'Gateway', available: (s) => can(s, 'keyspaces:read'), Component: GatewayPage },
  { path: 'secrets', title: 'Secrets', available: withFeature('secrets', 'secrets:read'), Component: SecretsPage },
  { path: 'oauth-clients', title: 'OAuth clients', available: withFeature('oauthClients', 'oauth:manage'), Component: OAuthClientsPage },
  { path: 'end-users', title: 'End users', available: withFeature('oauthClients', 'end_users:read'), Component: EndUsersPage },
  {
    path: 'databases',
    title: 'Databases',
    available: (s) => can(s, 'databases:manage') || can(s, 'databases:credentials'),
    Component: DatabasesPage,
  },
  { path: 'root-keys', title: 'Root keys', available: (s) => can(s, 'root_keys:manage'), Component: RootKeysPage },
  { path: 'workspaces', title: 'Workspaces', available: (s) => can(s, 'workspaces:manage'), Component: WorkspacesPage },
  { path: 'audit', title: 'Audit log', available: (s) => can(s, 'audit:read'), Component: AuditPage },
  { path: 'settings', title: 'Settings', available: () => true, Component: SettingsPage },
];

type View =
  | { kind: 'starting' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'signed-in'; session: SessionInfo };

/** The console: the sign-in page, or the signed-in shell with the page the hash names. */
export function App() {
  const [view, setView] = useState<View>({ kind: 'starting' });

  const signedOut = useCallback((notice?: string) => {
    setCsrfToken(undefined);
    chooseWorkspace(undefined);
    setView({ kind: 'signed-out', ...(notice !== undefined && { notice }) });
  }, []);
  const signedIn = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrfToken);
    if (location.hash === '' || location.hash === '#/') location.hash = '#/overview';
    setView({ kind: 'signed-in', session });
  }, []);

  useEffect(() => {
    whenSignedOut(signedOut);
    loadSession().then(signedIn, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else setView({ kind: 'unreachable', message: (err as Error).message });
    });
  }, [signedIn, signedOut]);

  switch (view.kind) {
    case 'starting':
      return null;
    case 'unreachable':
      return (
        <main id="main" className="narrow" tabIndex={-1}>
          <h1>Tessera</h1>
          <p className="error" role="alert">
            {view.message}
          </p>
        </main>
      );
    case 'signed-out':
      return (
        <>
          <SkipLink />
          {/* A new sign-in starts in the home workspace. */}
          <LoginPage
            notice={view.notice}
            onSignedIn={(s) => {
              chooseWorkspace(undefined);
              signedIn(s);
            }}
          />
        </>
      );
    case 'signed-in':
      return (
        <>
          <SkipLink />
          <Shell session={view.session} onSignedOut={signedOut} onSession={(session) => setView({ kind: 'signed-in', session })} />
        </>
      );
  }
}

function Shell({
  session,
  onSignedOut,
  onSession,
}: {
  session: SessionInfo;
  onSignedOut: (notice: string) => void;
  /** The session read again: after a switch of workspace, or a change to the user's reach. */
  onSession: (session: SessionInfo) => void;
}) {
  const hash = useHash();
  const pages = PAGES.filter((p) => p.available(session));
  const asked = PAGES.find((p) => p.path === pathOf(hash));
  // A page the role may not open says so at its own address; an unknown address shows the first page.
  const refused = asked !== undefined && !pages.includes(asked) ? asked : undefined;
  const page = refused ?? (asked && pages.includes(asked) ? asked : pages[0]!);
  const [toast, setToast] = useState<{ message: string; kind: 'ok' | 'error' } | null>(null);
  const notify = useCallback<Notify>((message, kind = 'ok') => setToast({ message, kind }), []);
  // An error shown for an earlier attempt goes once a later change succeeds.
  useEffect(() => whenChangeMade(() => setToast((t) => (t?.kind === 'error' ? null : t))), []);

  useEffect(() => {
    document.title = `${page.title} · Tessera`;
  }, [page]);
  useEffect(() => setToast(null), [hash]);
  useEffect(() => {
    if (toast?.kind !== 'ok') return;
    const timer = setTimeout(() => setToast((t) => (t === toast ? null : t)), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  /** Reads the session again (in the chosen workspace): the pages reload their data when the workspace changed. */
  const refreshSession = useCallback(
    () =>
      loadSession().then(onSession, (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) notify(errorText(err), 'error');
      }),
    [onSession, notify],
  );
  const switchTo = (workspaceId: string) => {
    chooseWorkspace(workspaceId);
    // One key's page, or a list filtered by a keyspace, belongs to the workspace left: open the page afresh.
    if (location.hash !== `#/${page.path}`) location.hash = `#/${page.linked ? 'overview' : page.path}`;
    void refreshSession();
  };

  const signOut = async () => {
    try {
      await api('DELETE', '/console/api/session');
    } finally {
      onSignedOut('You are signed out.');
    }
  };

  return (
    <>
      <header className="top">
        <a className="brand" href="#/overview">
          <span aria-hidden="true" className="logo">
            ▣
          </span>{' '}
          Tessera
        </a>
        <WorkspaceSwitcher session={session} onSwitch={switchTo} />
        <nav aria-label="Main">
          <ul>
            {pages
              .filter((p) => !p.linked)
              .map((p) => (
                <li key={p.path}>
                  <a href={`#/${p.path}`} aria-current={p === page && !refused ? 'page' : undefined}>
                    {p.title}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.user.email} · <span className="role">{session.user.role}</span>
          </span>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="toast" role="status" aria-live="polite">
        {toast && <p className={toast.kind}>{toast.message}</p>}
      </div>
      <main id="main" tabIndex={-1}>
        {/* A new hash or workspace is a fresh page: nothing (such as a key shown once) survives leaving it. */}
        {refused ? (
          <NoPermission page={refused} session={session} />
        ) : (
          <page.Component key={`${session.workspaceId} ${hash}`} session={session} notify={notify} refreshSession={refreshSession} />
        )}
      </main>
    </>
  );
}
