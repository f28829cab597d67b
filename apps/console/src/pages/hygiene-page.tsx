import type { HygieneReport } from '@tessera/api';
import { useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field, NumberField } from '../field.js';
import { formValues } from '../form-values.js';
import { LoadStatus } from '../load-status.js';
import type { PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';
import { HygieneFindings } from './hygiene-findings.js';
import type { Keyspace } from './key-model.js';
import { KeyspacePolicySection } from './keyspace-policy.js';
import { KeyspaceSelect } from './keyspace-select.js';
import { RolloversSection } from './rollovers-section.js';
import { SecretDueRow } from './secret-due-row.js';

interface Query {
  keyspaceId: string;
  unusedDays: string;
  expiringDays: string;
  privilegeDays: string;
}

/** Key hygiene: the inventory report of one keyspace, and the secrets due for rotation. */
export function HygienePage(props: PageProps) {
  const [result] = useLoad(() => api<Answer<'GET /v1/keyspaces'>>('GET', '/v1/keyspaces'), []);
  if (result.state !== 'ready') return <LoadStatus title="Hygiene" result={result} />;
  const keyspaces = result.data.items;
  const { session } = props;
  return (
    <>
      <h1>Hygiene</h1>
      <p className="muted">Keys that are idle, about to expire, never expire, or hold more scopes than they use: candidates to tidy up.</p>
      {keyspaces.length === 0 ? (
        <p className="empty">There are no keyspaces yet, so there are no keys to report on.</p>
      ) : (
        <KeyReport keyspaces={keyspaces} session={session} notify={props.notify} />
      )}
      {session.capabilities.secrets === true && can(session, 'secrets:read') && <SecretsDue />}
    </>
  );
}

function KeyReport({ keyspaces, session, notify }: { keyspaces: Keyspace[] } & Pick<PageProps, 'session' | 'notify'>) {
  const [query, setQuery] = useState<Query>(() => {
    const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('keyspace');
    const keyspaceId = keyspaces.find((ks) => ks.id === wanted)?.id ?? keyspaces[0]!.id;
    return { keyspaceId, unusedDays: '90', expiringDays: '14', privilegeDays: '30' };
  });
  const [result] = useLoad(() => api<HygieneReport>('GET', `/v1/hygiene?${new URLSearchParams({ ...query })}`), [query]);
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setQuery(formValues(e.currentTarget) as unknown as Query);
  };
  const keyspace = keyspaces.find((ks) => ks.id === query.keyspaceId)!;

  return (
    <>
      <form className="filters" aria-label="Report settings" onSubmit={apply}>
        <Field label="Keyspace">
          <KeyspaceSelect keyspaces={keyspaces} name="keyspaceId" defaultValue={query.keyspaceId} />
        </Field>
        <NumberField label="Unused for (days)" name="unusedDays" min={0} max={3660} required defaultValue={query.unusedDays} />
        <NumberField label="Expiring within (days)" name="expiringDays" min={0} max={3660} required defaultValue={query.expiringDays} />
        <NumberField label="Scope use over (days)" name="privilegeDays" min={1} max={3660} required defaultValue={query.privilegeDays} />
        <button type="submit">Run report</button>
      </form>
      <div aria-live="polite">
        {result.state !== 'ready' && <LoadStatus result={result} failed="The report could not be made" />}
        {result.state === 'ready' && (
          <HygieneFindings
            report={result.data}
            keyspace={keyspace}
            days={{ unused: Number(query.unusedDays), expiring: Number(query.expiringDays), privilege: Number(query.privilegeDays) }}
          />
        )}
      </div>
      <KeyspacePolicySection keyspaceId={keyspace.id} keyspaceName={keyspace.name} session={session} notify={notify} />
      <RolloversSection keyspace={keyspace} />
    </>
  );
}

function SecretsDue() {
  const [result] = useLoad(() => api<Answer<'GET /v1/secrets'>>('GET', '/v1/secrets?rotation=due'), []);
  return (
    <section aria-labelledby="hy-secrets">
      <h2 id="hy-secrets">Secrets due for rotation</h2>
      {result.state !== 'ready' && <LoadStatus result={result} failed="The secrets could not load" />}
      {result.state === 'ready' &&
        (result.data.items.length === 0 ? (
          <p className="empty">No secret is due for rotation.</p>
        ) : (
          <table>
            <TableHead columns={['Secret', 'Version', 'Rotation', 'Rotate by']} />
            <tbody>
              {result.data.items.map((s) => (
                <SecretDueRow key={s.name} secret={s}>
                  <td>
                    <a href="#/secrets" className="mono">
                      {s.name}
                    </a>
                  </td>
                  <td>{s.version}</td>
                </SecretDueRow>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
