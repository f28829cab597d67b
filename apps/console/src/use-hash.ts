import { useSyncExternalStore } from 'react';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The location's hash (`#/keys?owner=acme`): the console's pages are addressed by it. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => location.hash);
}

/** The page named by a hash: `#/keys?owner=acme` → `keys`. */
export const pathOf = (hash: string): string => hash.replace(/^#\/?/, '').split('?')[0] || 'overview';
