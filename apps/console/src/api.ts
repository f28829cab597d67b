/** The console's only way to the server: same-origin JSON calls with the session cookie, in the chosen workspace. */
import type { ConsoleOperations, Operations } from '@tessera/api';

/** What operation `O` answers: a management operation (`/v1`), or one of the console's own. */
export type Answer<O extends keyof Operations | keyof ConsoleOperations> = O extends keyof Operations
  ? Operations[O]['response']
  : O extends keyof ConsoleOperations
    ? ConsoleOperations[O]['response']
    : never;

/** `GET /console/api/session`: who is signed in, with what permissions, until when. */
export type SessionInfo = Answer<'GET /console/api/session'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** What to tell the person about a failed call: the server's detail when it gave one. */
export const errorText = (err: unknown): string => (err instanceof ApiError ? err.detail : (err as Error).message);

let csrfToken: string | undefined;
let onSignedOut: (reason: string) => void = () => {};
let onChangeMade: () => void = () => {};

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Where the workspace chosen in the switcher is kept: this tab, for as long as it is open. */
const WORKSPACE_KEY = 'tessera.console.workspace';

/** The workspace the person chose to work in, if any (otherwise the server uses their home). */
export function chosenWorkspace(): string | undefined {
  try {
    return sessionStorage.getItem(WORKSPACE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Every call from now on acts in `workspaceId` (`Tessera-Workspace`); undefined goes back to the home workspace. */
export function chooseWorkspace(workspaceId: string | undefined): void {
  try {
    if (workspaceId === undefined) sessionStorage.removeItem(WORKSPACE_KEY);
    else sessionStorage.setItem(WORKSPACE_KEY, workspaceId);
  } catch {
    // Storage refused (a locked-down browser): the choice lasts until the page is left.
  }
}

/** Called when the server says the session has ended: the app shows the sign-in page. */
export function whenSignedOut(fn: (reason: string) => void): void {
  onSignedOut = fn;
}

/**
 * Called when a change the person asked for succeeded (any call but a GET), before its caller
 * hears of it: an error shown for an earlier attempt no longer stands.
 */
export function whenChangeMade(fn: () => void): void {
  onChangeMade = fn;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const workspace = chosenWorkspace();
  if (workspace !== undefined) headers['tessera-workspace'] = workspace;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check that Tessera is running, then try again.');
  }
  const text = await res.text();
  let data: { code?: string; detail?: string } | undefined;
  try {
    data = text === '' ? undefined : (JSON.parse(text) as typeof data);
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.code ?? 'HTTP_' + res.status, data?.detail ?? res.statusText);
    if (res.status === 401 && !opts.quiet401) onSignedOut(err.detail);
    throw err;
  }
  if (method !== 'GET') onChangeMade();
  return data as unknown as T;
}

export const can = (session: SessionInfo, permission: string): boolean =>
  session.permissions.some((g) => g === '*' || g === permission || (g.endsWith(':*') && permission.startsWith(g.slice(0, -1))));
