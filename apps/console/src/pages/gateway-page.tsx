import { useState, type FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { RowActions } from '../data-table.js';
import { Field } from '../field.js';
import { FormError } from '../form-error.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import type { KeyspaceSectionProps, PageProps } from '../page-props.js';
import { TableHead } from '../table-head.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';
import { KeyspaceSelect } from './keyspace-select.js';

type Routes = Answer<'GET /v1/keyspaces/{keyspaceId}/gateway-routes'>;
/** A rule as the form holds it: the methods as one line of text. */
interface RuleRow {
  id: number;
  methods: string;
  path: string;
  scopes: string;
}

/** A rule's text fields, in the order of the table's columns, with what an empty one means. */
const RULE_FIELDS: readonly { field: Exclude<keyof RuleRow, 'id'>; placeholder: string }[] = [
  { field: 'methods', placeholder: 'every method' },
  { field: 'path', placeholder: '/orders/**' },
  { field: 'scopes', placeholder: 'any valid key' },
];

let nextRow = 0;
const rowOf = (r: Routes['rules'][number]): RuleRow => ({
  id: nextRow++,
  methods: (r.methods ?? []).join(' '),
  path: r.path,
  scopes: r.scopes ?? '',
});

/**
 * The gateway (forward-auth) route rules of a keyspace: which requests a reverse proxy lets
 * through with which key, first matching rule first (`GET`/`PUT /v1/keyspaces/{id}/gateway-routes`).
 */
export function GatewayPage({ session, notify }: PageProps) {
  const [keyspaces] = useLoad(() => api<Answer<'GET /v1/keyspaces'>>('GET', '/v1/keyspaces'), []);
  const [chosen, setChosen] = useState<string | null>(null);
  if (keyspaces.state !== 'ready') return <LoadStatus title="Gateway routes" result={keyspaces} />;
  const { items } = keyspaces.data;
  const keyspace = items.find((ks) => ks.id === chosen) ?? items[0];
  return (
    <>
      <h1>Gateway routes</h1>
      <p className="muted">
        A reverse proxy (Traefik, Caddy, nginx, Envoy) asks Tessera whether each request may pass, with the key the client sent. The rules
        below decide, in order: the first that matches a request’s method and path says which scopes the key needs. A request no rule
        matches is refused.
      </p>
      {keyspace === undefined ? (
        <p className="empty">
          No keyspace yet: create one on the <a href="#/keys">Keys</a> page first.
        </p>
      ) : (
        <>
          <Field label="Keyspace">
            <KeyspaceSelect keyspaces={items} value={keyspace.id} onChange={(e) => setChosen(e.target.value)} />
          </Field>
          <GatewayRoutesForm key={keyspace.id} keyspaceId={keyspace.id} keyspaceName={keyspace.name} session={session} notify={notify} />
        </>
      )}
    </>
  );
}

function GatewayRoutesForm({ keyspaceId, keyspaceName, session, notify }: KeyspaceSectionProps) {
  const [result, reload] = useLoad(
    () => api<Routes>('GET', `/v1/keyspaces/${keyspaceId}/gateway-routes`).then((r) => ({ routes: r, rows: r.rules.map(rowOf) })),
    [keyspaceId],
  );
  const [rows, setRows] = useState<RuleRow[] | null>(null);
  const { error, setError, send } = useFormSend();
  const manage = can(session, 'keyspaces:manage');
  if (result.state !== 'ready') return <LoadStatus result={result} failed="The gateway routes could not load" />;
  const { routes } = result.data;
  const shown = rows ?? result.data.rows;
  const edit = (next: RuleRow[]) => setRows(next);
  const change = (id: number, field: Exclude<keyof RuleRow, 'id'>, value: string) =>
    edit(shown.map((r) => (r.id === id ? { ...r, [field]: value } : r)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...shown];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    edit(next);
  };

  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const rules = [];
    for (const [i, r] of shown.entries()) {
      const methods = r.methods
        .split(/[\s,]+/)
        .filter((m) => m !== '')
        .map((m) => m.toUpperCase());
      const path = r.path.trim();
      if (!path.startsWith('/')) return setError(`Rule ${i + 1}: the path must start with /, such as /orders/**.`);
      const bad = methods.find((m) => !/^[A-Z]{1,16}$/.test(m));
      if (bad !== undefined)
        return setError(`Rule ${i + 1}: “${bad}” is not an HTTP method; write names such as GET POST, or leave it empty.`);
      rules.push({ ...(methods.length > 0 && { methods }), path, ...(r.scopes.trim() !== '' && { scopes: r.scopes.trim() }) });
    }
    const keyHeader = String(data.get('keyHeader') ?? '').trim();
    if (!/^[A-Za-z0-9-]{1,64}$/.test(keyHeader))
      return setError('The key header is a header name of letters, digits and dashes, such as authorization or x-api-key.');
    const audience = String(data.get('audience') ?? '').trim();
    send(
      api<Routes>('PUT', `/v1/keyspaces/${keyspaceId}/gateway-routes`, { keyHeader, rules, ...(audience !== '' && { audience }) }),
      () => {
        setRows(null);
        notify(`The gateway routes of ${keyspaceName} are saved: ${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}.`);
        reload();
      },
    );
  };

  const forwardAuth = `${location.origin}/v1/keyspaces/${keyspaceId}/forward-auth`;
  return (
    <form className="card" aria-labelledby="gw-title" onSubmit={save}>
      <h2 id="gw-title">{`Routes of ${keyspaceName}`}</h2>
      <p className="muted small">
        {routes.updatedAt === null ? 'Never set: every request is refused.' : `Last saved ${when(routes.updatedAt)}.`} Point the proxy’s
        forward-auth at <code>{forwardAuth}</code>.
      </p>
      <fieldset disabled={!manage}>
        <legend className="sr-only">Key header and audience</legend>
        <Field
          label="Key header"
          hint="The header clients send their key in: authorization (as Bearer <key>) or another, such as x-api-key."
        >
          <input name="keyHeader" defaultValue={routes.keyHeader} required spellCheck={false} autoComplete="off" />
        </Field>
        <Field label="Accept access tokens for audience" hint="Optional: Tessera’s own OAuth access tokens for this audience pass too.">
          <input name="audience" defaultValue={routes.audience ?? ''} placeholder="https://orders.example.com" spellCheck={false} />
        </Field>
      </fieldset>
      {shown.length === 0 ? (
        <p className="empty">No rules: every request is refused.</p>
      ) : (
        <table className="gateway-rules">
          <caption className="sr-only">Rules, in the order they are tried</caption>
          <TableHead columns={['#', 'Methods', 'Path', 'Scopes the key needs']} actions={manage} />
          <tbody>
            {shown.map((r, i) => (
              <tr key={r.id} data-rule={i + 1}>
                <td>{i + 1}</td>
                {RULE_FIELDS.map(({ field, placeholder }) => (
                  <td key={field}>
                    <input
                      aria-label={`Rule ${i + 1} ${field}`}
                      value={r[field]}
                      placeholder={placeholder}
                      disabled={!manage}
                      spellCheck={false}
                      onChange={(e) => change(r.id, field, e.target.value)}
                    />
                  </td>
                ))}
                {manage && (
                  <RowActions>
                    <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move rule ${i + 1} up`}>
                      Up
                    </button>
                    <button
                      type="button"
                      disabled={i === shown.length - 1}
                      onClick={() => move(i, 1)}
                      aria-label={`Move rule ${i + 1} down`}
                    >
                      Down
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => edit(shown.filter((x) => x.id !== r.id))}
                      aria-label={`Remove rule ${i + 1}`}
                    >
                      Remove
                    </button>
                  </RowActions>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        A path segment matches itself, <code>*</code> any one segment, a last <code>**</code> the rest of the path. Scopes may be an
        expression such as <code>orders:read and (eu or us)</code>.
      </p>
      <FormError error={error} />
      {manage && (
        <div className="row">
          <button type="button" onClick={() => edit([...shown, { id: nextRow++, methods: '', path: '', scopes: '' }])}>
            Add a rule
          </button>
          <button type="submit" className="primary">
            Save routes
          </button>
        </div>
      )}
    </form>
  );
}
