import { LoadStatus } from '../load-status.js';
import type { ReactNode } from 'react';
import { api, type Answer } from '../api.js';
import { when } from '../format.js';
import { TableHead } from '../table-head.js';
import { useLoad } from '../use-load.js';

/** `GET /console/api/keyring`: versions and states, never key material. */
type KeyringStatus = Answer<'GET /console/api/keyring'>;

const PROVIDERS: Record<string, string> = {
  local: 'local key file (keyring.json)',
  env: 'environment variable (TESSERA_MASTER_KEY)',
  pkcs11: 'hardware security module (PKCS#11)',
  memory: 'in memory (tests only)',
};

/** The KEK provider and version, the pepper versions, and this workspace's data keys. */
export function KeyringStatusView() {
  const [result] = useLoad(() => api<KeyringStatus>('GET', '/console/api/keyring'), []);
  if (result.state !== 'ready') return <LoadStatus result={result} failed="The keyring status could not be read" />;
  const s = result.data;
  const older = s.pepperVersions.filter((v) => v !== s.pepperVersion);
  return (
    <div data-testid="keyring-status">
      <h3>Key-encryption key</h3>
      <dl className="attrs">
        <dt>Provider</dt>
        <dd>
          <code>{s.provider}</code> — {PROVIDERS[s.provider] ?? 'a custom provider'}
        </dd>
        <dt>KEK version</dt>
        <dd>{s.kekVersion}</dd>
        <dt>Pepper version</dt>
        <dd>{`${s.pepperVersion}${older.length > 0 ? ` (older kept for keys hashed before: ${older.join(', ')})` : ''}`}</dd>
      </dl>
      <h3>Data keys</h3>
      {s.dataKeys.length === 0 ? (
        <p className="empty">No data key yet: the first is made when something is first encrypted.</p>
      ) : (
        <Table
          caption="Data keys of this workspace and of the instance"
          columns={['Scope', 'Version', 'Wrapped under', 'State']}
          rows={s.dataKeys.map((k) => ({
            key: `${k.scope}-${k.version}`,
            cells: [
              <code key="s">{k.scope}</code>,
              k.version,
              `KEK v${k.kekVersion}`,
              <>
                <span className={`badge ${k.state === 'current' ? 'active' : 'expired'}`}>{k.state}</span>{' '}
                {k.rewrapPending && <span className="badge due">re-wrap pending</span>}
              </>,
            ],
          }))}
        />
      )}
      <p className="muted small">
        New ciphertexts use the current data key; retired versions only decrypt older ones. Rotate with <code>tessera keyring rotate</code>{' '}
        on the server: the key material never travels over HTTP.
      </p>
    </div>
  );
}

/** The OAuth token signing keys and the part each plays now. */
export function SigningKeys({ titled }: { titled: boolean }) {
  const [result] = useLoad(() => api<Answer<'GET /v1/oauth/signing-keys'>>('GET', '/v1/oauth/signing-keys'), []);
  return (
    <>
      {titled && <h3>Token signing keys</h3>}
      {result.state !== 'ready' ? (
        <LoadStatus result={result} failed="The signing keys could not be read" />
      ) : result.data.items.length === 0 ? (
        <p className="empty">None yet: the first is made when a token is issued.</p>
      ) : (
        <Table
          caption="Token signing keys"
          columns={['Key id', 'Algorithm', 'State', 'Active from', 'Retires', 'Expires']}
          rows={result.data.items.map((k) => ({
            key: k.kid,
            cells: [<code key="k">{k.kid}</code>, k.alg, k.state, when(k.activatesAt), when(k.retiresAt), when(k.expiresAt)],
          }))}
        />
      )}
      <p className="muted small">
        Their rotation period, and an emergency retire of one, are under <a href="#/oauth-clients">OAuth clients</a>.
      </p>
    </>
  );
}

function Table({ caption, columns, rows }: { caption: string; columns: string[]; rows: { key: string; cells: ReactNode[] }[] }) {
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <TableHead columns={columns} />
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            {r.cells.map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
