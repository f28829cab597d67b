import { keyState } from '../format.js';
import type { Key, Keyspace } from './key-model.js';

const COLUMNS = ['Name', 'Key id', 'Keyspace', 'Starts with', 'Owner', 'State', 'Created', 'Expires', 'Last used', 'Uses', 'Scopes'];

/**
 * One CSV cell: quoted when it holds a quote, comma or line break; a leading `=`, `+`, `-`, `@`
 * (a formula to a spreadsheet) is kept as text by a leading apostrophe.
 */
function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Keys as CSV (RFC 4180, CRLF line ends), times in UTC as the API gives them. */
export function keysCsv(keys: readonly Key[], keyspaces: readonly Keyspace[]): string {
  const names = new Map(keyspaces.map((ks) => [ks.id, ks.name]));
  const rows = keys.map((k) => [
    k.name,
    k.keyId,
    names.get(k.keyspaceId) ?? k.keyspaceId,
    k.start,
    k.ownerId,
    k.decoy ? `${keyState(k)} (decoy)` : keyState(k),
    k.createdAt,
    k.expiresAt,
    k.lastUsedAt,
    k.usageCount,
    k.scopes.join(' '),
  ]);
  return [COLUMNS, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
