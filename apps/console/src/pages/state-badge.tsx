import { keyState } from '../format.js';
import type { Key } from './key-model.js';

/** A key's state (active, disabled, revoked, expired) as a badge. */
export function StateBadge({ keyInfo }: { keyInfo: Key }) {
  const s = keyState(keyInfo);
  return <span className={`badge ${s}`}>{s}</span>;
}
