import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.js';

/** A list read a page at a time, as far as it has loaded: the items so far, and the cursor to the next page. */
export type Pages<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: T[]; next: string | null };

/**
 * Reads `path` (with `query`) `limit` items at a time, newest listing first: the first page when
 * the component mounts and whenever `path` or `query` change. `load()` reads the first page again,
 * keeping what it shows until the answer comes; `load(cursor)` adds the next page to it. A late
 * answer for an older run is dropped.
 */
export function usePages<T>(path: string, limit: number, query?: URLSearchParams): [Pages<T>, (cursor?: string) => Promise<void>] {
  const [pages, setPages] = useState<Pages<T>>({ state: 'loading' });
  const run = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
      const q = new URLSearchParams(query);
      q.set('limit', String(limit));
      if (cursor) q.set('cursor', cursor);
      const mine = ++run.current;
      try {
        const page = await api<{ items: T[]; nextCursor: string | null }>('GET', `${path}?${q}`);
        if (mine !== run.current) return;
        setPages((prev) => ({
          state: 'ready',
          items: cursor && prev.state === 'ready' ? prev.items.concat(page.items) : page.items,
          next: page.nextCursor,
        }));
      } catch (err) {
        if (mine === run.current) setPages({ state: 'error', message: (err as Error).message });
      }
    },
    [path, limit, query],
  );
  useEffect(() => void load(), [load]);
  return [pages, load];
}
