import type { SelectHTMLAttributes } from 'react';
import type { Keyspace } from './key-model.js';

/** A keyspace picker: each keyspace by its name and prefix. The select's own props pass through. */
export function KeyspaceSelect({ keyspaces, ...select }: { keyspaces: Keyspace[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select {...select}>
      {keyspaces.map((ks) => (
        <option key={ks.id} value={ks.id}>
          {`${ks.name} (${ks.prefix})`}
        </option>
      ))}
    </select>
  );
}
