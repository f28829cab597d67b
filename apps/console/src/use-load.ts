import { useCallback, useEffect, useState, type DependencyList } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T };

/**
 * Runs `load` when the component mounts and whenever `deps` change; `reload` runs it again and
 * keeps showing the data it has until the new answer comes. A late answer for an older run is
 * dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [run, setRun] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setResult({ state: 'ready', data }),
      (error: unknown) => current && setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
    // The caller names what `load` depends on, as with useEffect.
  }, [...deps, run]);
  return [result, useCallback(() => setRun((n) => n + 1), [])];
}
