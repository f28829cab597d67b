import { useState } from 'react';
import { api, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field } from '../field.js';
import { ago, when } from '../format.js';
import { LoadedList } from '../load-status.js';
import { Options } from '../options.js';
import { useLoad } from '../use-load.js';
import { RETIRED_BECAUSE, ROLLOVER_STATES } from './key-roll.js';
import type { Keyspace } from './key-model.js';
import { keysOf } from './rotation-policy-fields.js';

type Which = 'open' | 'retired' | 'all';

const SHOWN: Record<Which, string> = { open: 'open rollovers', retired: 'ended rollovers', all: 'all rollovers' };

/**
 * A keyspace's usage-driven rollovers (`GET /v1/rollovers`), the open ones first: which clients
 * switched to their new key, which still use the old one, and when each old key retires.
 */
export function RolloversSection({ keyspace }: { keyspace: Keyspace }) {
  const [which, setWhich] = useState<Which>('open');
  const [result] = useLoad(async () => {
    const q = new URLSearchParams({ keyspaceId: keyspace.id, ...(which !== 'all' && { state: which }) });
    const [list, keys] = await Promise.all([api<Answer<'GET /v1/rollovers'>>('GET', `/v1/rollovers?${q}`), keysOf(keyspace.id)]);
    return { items: list.items, names: new Map(keys.map((k) => [k.keyId, k.name ?? k.start])) };
  }, [keyspace.id, which]);
  const link = (keyId: string, names: Map<string, string>) => (
    <a href={`#/keys?keyspace=${keyspace.id}&key=${keyId}`}>{names.get(keyId) ?? keyId}</a>
  );

  return (
    <section aria-labelledby="ro-list" className="rollovers">
      <h2 id="ro-list">Rollovers in {keyspace.name}</h2>
      <p className="muted small">
        Keys rolled with “retire the old key once the new one is in use”: an old key retires by itself once its new key is in use and its
        own traffic has stopped for the quiet period, or at the deadline.
      </p>
      <div className="filters">
        <Field label="Show">
          <select value={which} onChange={(e) => setWhich(e.target.value as Which)}>
            <Options values={['open', 'retired', 'all'] as const} label={(w) => SHOWN[w]} />
          </select>
        </Field>
      </div>
      <LoadedList
        result={result}
        failed="The rollovers could not load"
        empty={which === 'open' ? 'No rollover is open in this keyspace.' : 'No rollovers to show.'}
      >
        {({ items, names }) => (
          <DataTable
            label={`Rollovers in ${keyspace.name}`}
            columns={['Old key', 'State', 'New key in use since', 'Old key last seen', 'Retires', 'Deadline']}
          >
            {items.map((r) => (
              <tr key={r.predecessorKeyId} data-key-id={r.predecessorKeyId}>
                <td>{link(r.predecessorKeyId, names)}</td>
                <td>
                  <span className={`badge ${ROLLOVER_STATES[r.state].badge}`}>{ROLLOVER_STATES[r.state].label}</span>
                </td>
                <td className="nowrap">{r.successorFirstUsedAt ? when(r.successorFirstUsedAt) : 'not used yet'}</td>
                <td className="nowrap">{r.predecessorLastUsedAt ? ago(r.predecessorLastUsedAt) : 'not since the roll'}</td>
                <td className="nowrap">
                  {r.state === 'retired'
                    ? `retired ${when(r.retiredAt)}${r.retiredReason ? `: ${RETIRED_BECAUSE[r.retiredReason]}` : ''}`
                    : when(r.retiresAt)}
                </td>
                <td className="nowrap">{when(r.deadline)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </LoadedList>
    </section>
  );
}
