import type { ReactNode } from 'react';
import { TableHead } from './table-head.js';
import { TableScroll } from './table-scroll.js';

/**
 * A table of records in its scrolling box, named `label`: the header row, a caption for screen
 * readers only when `caption` is given, and the rows as children. With `actions`, a last column
 * holds each row's buttons.
 */
export function DataTable({
  label,
  className,
  caption,
  columns,
  actions,
  children,
}: {
  label: string;
  className?: string;
  caption?: string;
  columns: readonly string[];
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <TableScroll label={label}>
      <table className={className}>
        {caption !== undefined && <caption className="sr-only">{caption}</caption>}
        <TableHead columns={columns} actions={actions} />
        <tbody>{children}</tbody>
      </table>
    </TableScroll>
  );
}

/** A row's last cell, with its buttons side by side. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <td>
      <div className="row">{children}</div>
    </td>
  );
}
