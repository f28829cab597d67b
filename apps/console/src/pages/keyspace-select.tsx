import type { SelectHTMLAttributes } from 'react';
import type { Keyspace } from './key-model.js';

/**
 * A keyspace picker: each keyspace by its name and prefix, and with `any` a first choice (value
 * '') for every keyspace. The select's own props pass through.
 */
export function KeyspaceSelect({
  keyspaces,
  any,
  ...select
}: { keyspaces: Keyspace[]; any?: string | undefined } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select {...select}>
      {any !== undefined && <option value="">{any}</option>}
      {keyspaces.map((ks) => (
        <option key={ks.id} value={ks.id}>
          {`${ks.name} (${ks.prefix})`}
        </option>
      ))}
    </select>
  );
}
