import type { ReactNode } from 'react';

/**
 * A wide table's box, scrolled sideways within itself in a narrow window. Keyboard users reach it
 * with Tab and scroll it with the arrow keys, and screen readers announce it as a named region.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
