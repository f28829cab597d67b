import type { ReactNode } from 'react';
import { ApiError } from './api.js';
import type { Loaded } from './use-load.js';

/**
 * What a page or a section of one shows until its data is in: "Loading…", or why it could not
 * load (`failed`, then the server's reason). A page names itself with `title`; a section keeps
 * its own heading. A 401 shows nothing: the console is already on its way back to the sign-in page.
 */
export function LoadStatus({
  title,
  failed = 'This page could not load',
  result,
}: {
  title?: string;
  failed?: string;
  result: Exclude<Loaded<unknown>, { state: 'ready' }>;
}) {
  if (result.state === 'error' && result.error instanceof ApiError && result.error.status === 401) return null;
  return (
    <>
      {title !== undefined && <h1>{title}</h1>}
      {result.state === 'loading' ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : (
        <p className="error" role="alert">
          {failed}: {result.error.message}
        </p>
      )}
    </>
  );
}

/**
 * A list a section loads: LoadStatus until it is in (`failed` says what could not load), `empty`
 * when it holds no items, else what `children` makes of the data.
 */
export function LoadedList<D extends { items: readonly unknown[] }>({
  result,
  failed,
  empty,
  children,
}: {
  result: Loaded<D>;
  failed: string;
  empty: ReactNode;
  children(data: D): ReactNode;
}) {
  if (result.state !== 'ready') return <LoadStatus result={result} failed={failed} />;
  if (result.data.items.length === 0) return <p className="empty">{empty}</p>;
  return children(result.data);
}
