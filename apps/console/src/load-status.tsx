import { ApiError } from './api.js';
import type { Loaded } from './use-load.js';

/**
 * What a page shows until its data is in: "Loading…", or why it could not load. A 401 shows
 * nothing: the console is already on its way back to the sign-in page.
 */
export function LoadStatus({ title, result }: { title: string; result: Exclude<Loaded<unknown>, { state: 'ready' }> }) {
  if (result.state === 'loading')
    return (
      <>
        <h1>{title}</h1>
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      </>
    );
  if (result.error instanceof ApiError && result.error.status === 401) return null;
  return (
    <>
      <h1>{title}</h1>
      <p className="error" role="alert">
        This page could not load: {result.error.message}
      </p>
    </>
  );
}
