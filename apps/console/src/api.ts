/** The console's only way to the server: same-origin JSON calls with the session cookie. */
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
