import type { ReactNode } from 'react';
import { when } from '../format.js';

/**
 * A secret's row in a list of secrets due for rotation: the cells given first, then how its
 * rotation stands, as a badge, and the date it is due by.
 */
export function SecretDueRow({ secret: s, children }: { secret: { rotation: string; rotateBy: string | null }; children: ReactNode }) {
  return (
    <tr>
      {children}
      <td>
        <span className={`badge ${s.rotation}`}>{s.rotation}</span>
      </td>
      <td>{when(s.rotateBy)}</td>
    </tr>
  );
}
