import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, can, type Answer, type SessionInfo } from '../api.js';
import { Field } from '../field.js';
import { ago, duration, keyState, perWindow, when } from '../format.js';
import { OutcomeChart } from '../lazy-outcome-chart.js';
import type { Notify } from '../page-props.js';
import { holdOf, type Key, type Suspension } from './key-model.js';
import { KeyEditForm } from './key-edit-form.js';
import { RollForm, RolloverStatus } from './key-roll.js';
import { RotationDue } from './rotation-due.js';
import { StateBadge } from './state-badge.js';

/** The fields an edit names, as the page labels them. */
const FIELD_NAMES: Record<string, string> = {
  name: 'name',
  ownerId: 'owner',
  environment: 'environment',
  scopes: 'scopes',
  ipAllowlist: 'IP allowlist',
  expiresAt: 'expiry',
  meta: 'metadata',
  ratelimits: 'rate limits',
  credits: 'credits',
};
import { TableHead } from '../table-head.js';

/** `GET /console/api/keys/{keyId}/usage`: the last hour of the key's use, per minute and one by one. */
export type KeyUsage = Answer<'GET /console/api/keys/{keyId}/usage'>;

/** One key: its attributes, what may be done to it, and its use. */
export function KeyDetail({
  keyInfo: k,
  usage,
  focus,
  suspension,
  session,
  notify,
  onChanged,
  onOpen,
  onRolled,
  onClose,
  onDeleted,
  ownPage = false,
}: {
  keyInfo: Key;
  usage: KeyUsage;
  focus: boolean;
  /** The active suspension that turned the key off, if one did. */
  suspension: Suspension | undefined;
  session: SessionInfo;
  notify: Notify;
  onChanged(focus: boolean): void;
  onOpen(keyId: string): void;
  /** After a roll: the new key, and the old one as it is now (in its grace period). */
  onRolled(r: { keyId: string; key: string }, old: Key): void;
  onClose(): void;
  /** After a delete: the key is gone from the console and the API. */
  onDeleted(): void;
  /** On the key's own page: its name is the page's heading, and there is nothing to close. */
  ownPage?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [editing, setEditing] = useState(false);
  // Focus goes to the heading when the key opens, and after a change that removed the control
  // that made it (such as the revoke button).
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [k, focus]);

  const state = keyState(k);
  const live = state === 'active' || state === 'disabled';
  const act = (p: Promise<unknown>, message: string) =>
    void p.then(
      () => {
        notify(message);
        onChanged(true);
      },
      (err: Error) => notify(err.message, 'error'),
    );
  const held = state === 'disabled' && suspension !== undefined ? holdOf(suspension) : undefined;
  const label = k.name ?? k.keyId;
  const Heading = ownPage ? 'h1' : 'h2';
  const enable = () => {
    if (held === undefined) return act(api('PATCH', `/v1/keys/${k.keyId}`, { enabled: true }), 'The key is enabled.');
    const sure = window.confirm(
      `${label} was ${held.label} on ${when(suspension!.suspendedAt)} because ${held.why}. Whoever has it may still hold it: ` +
        'enabling it lets it work again for them too. (Rolling it gives its owner a new key instead.) Enable it anyway?',
    );
    if (!sure) return;
    // The undo of the suspension enables it as it was, and records who lifted it; without the
    // permission to undo suspensions, a plain enable.
    if (can(session, 'anomalies:manage'))
      act(api('POST', `/v1/suspensions/${suspension!.id}/undo`), `The key is enabled again; it was ${held.label}.`);
    else act(api('PATCH', `/v1/keys/${k.keyId}`, { enabled: true }), `The key is enabled again; it was ${held.label}.`);
  };
  const revoke = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const reason = (e.currentTarget.elements.namedItem('reason') as HTMLInputElement).value;
    if (!window.confirm(`Revoke ${label}? It stops working at once, everywhere, and cannot be restored.`)) return;
    act(api('POST', `/v1/keys/${k.keyId}/revoke`, reason ? { reason } : {}), 'The key is revoked.');
  };
  const remove = () => {
    if (!window.confirm(`Delete ${label}? It stops working at once and leaves the console and the API; this cannot be undone.`)) return;
    api('DELETE', `/v1/keys/${k.keyId}`).then(
      () => {
        notify(`Deleted ${label}.`);
        onDeleted();
      },
      (err: Error) => notify(err.message, 'error'),
    );
  };
  const attr = (label: string, value: ReactNode) => [
    <dt key={`${label}-t`}>{label}</dt>,
    <dd key={`${label}-d`}>{value === null || value === '' ? '—' : value}</dd>,
  ];

  return (
    <section className="key-detail card" aria-labelledby="kd-title">
      <div className="row spread">
        <Heading id="kd-title" tabIndex={-1} ref={heading}>
          {label} <StateBadge keyInfo={k} suspension={suspension} />
        </Heading>
        {!ownPage && (
          <span>
            <a href={`#/key?id=${encodeURIComponent(k.keyId)}`}>Its page, with history</a>{' '}
            <button type="button" className="link" onClick={onClose}>
              Close
            </button>
          </span>
        )}
      </div>
      {k.decoy && (
        <p className="notice">
          A honeytoken: a decoy planted where a thief would look. Any use of it is a critical anomaly, so leave it as it is — it is meant to
          lie unused.
        </p>
      )}
      {held && (
        <p className="notice" data-testid="key-hold">
          {`${held.label[0]!.toUpperCase()}${held.label.slice(1)} on ${when(suspension!.suspendedAt)}: disabled because ${held.why}.`}
        </p>
      )}
      {state === 'active' && k.rolledToKeyId !== null && k.expiresAt !== null && (
        <p className="notice">{`Rolled: this old key keeps working until ${when(k.expiresAt)} at the latest, then expires. Its replacement is below.`}</p>
      )}
      <dl className="attrs">
        {attr('Key id', <code>{k.keyId}</code>)}
        {attr('Starts with', <code>{k.start}</code>)}
        {attr('Owner', k.ownerId)}
        {attr('Environment', k.environment)}
        {attr('Scopes', k.scopes.join(' '))}
        {attr('Created', when(k.createdAt))}
        {attr('Expires', k.expiresAt ? when(k.expiresAt) : 'never')}
        {attr('Revoked', k.revokedAt ? `${when(k.revokedAt)}${k.revokeReason ? ` (${k.revokeReason})` : ''}` : null)}
        {attr(
          'Rolled to',
          k.rolledToKeyId && (
            <button type="button" className="link" onClick={() => onOpen(k.rolledToKeyId!)}>
              the new key ({k.rolledToKeyId})
            </button>
          ),
        )}
        {attr('Rotation due', <RotationDue keyInfo={k} />)}
        {attr('IP allowlist', k.ipAllowlist.join(', ') || 'any address')}
        {attr('Rate limits', k.ratelimits.map((r) => `${r.name}: ${r.limit} ${perWindow(r.windowMs)}`).join('; '))}
        {attr(
          'Credits',
          k.credits
            ? `${k.credits.remaining}${k.credits.refill ? ` (+${k.credits.refill.amount} every ${duration(k.credits.refill.intervalSeconds)})` : ''}`
            : 'unlimited',
        )}
        {attr('Metadata', k.meta ? JSON.stringify(k.meta) : null)}
        {attr('Last used', ago(k.lastUsedAt))}
        {attr('Uses', k.usageCount)}
      </dl>
      {k.rolledToKeyId !== null && <RolloverStatus keyId={k.keyId} onOpen={onOpen} />}
      {editing && (
        <KeyEditForm
          keyInfo={k}
          onCancel={() => setEditing(false)}
          onSaved={(changed) => {
            setEditing(false);
            notify(`Saved: ${changed.map((f) => FIELD_NAMES[f] ?? f).join(', ')}.`);
            onChanged(true);
          }}
        />
      )}
      {live && (
        <div className="actions">
          {can(session, 'keys:update') && !editing && (
            <button type="button" onClick={() => setEditing(true)}>
              Edit key
            </button>
          )}
          {can(session, 'keys:update') && (
            <button
              type="button"
              onClick={() => (k.enabled ? act(api('PATCH', `/v1/keys/${k.keyId}`, { enabled: false }), 'The key is disabled.') : enable())}
            >
              {k.enabled ? 'Disable key' : 'Enable key'}
            </button>
          )}
          {/* A rolled key is not rolled again: its replacement is. */}
          {can(session, 'keys:create') && k.rolledToKeyId === null && <RollForm keyInfo={k} notify={notify} onRolled={onRolled} />}
          {can(session, 'keys:revoke') && (
            <form className="inline danger" onSubmit={revoke}>
              <Field label="Reason (optional)">
                <input name="reason" maxLength={512} />
              </Field>
              <button type="submit" className="danger">
                Revoke key
              </button>
            </form>
          )}
        </div>
      )}
      {can(session, 'keys:delete') && (
        <p>
          <button type="button" className="danger" onClick={remove}>
            Delete key
          </button>{' '}
          <span className="small muted">It stops working and leaves the console and the API; the audit log keeps its history.</span>
        </p>
      )}
      <h3>Usage</h3>
      <p className="muted">Verifications per minute over the last {usage.windowMinutes} minutes on this server node.</p>
      <OutcomeChart series={usage.series} title={`Verifications of ${k.name ?? k.keyId} per minute`} id="key-chart" />
      <h3>Recent verifications</h3>
      {usage.recent.length === 0 ? (
        <p className="empty">None since this server started.</p>
      ) : (
        <table>
          <TableHead columns={['Time', 'Outcome', 'Source']} />
          <tbody>
            {/* On the key's own page the five latest: its use over time and its history follow. */}
            {usage.recent.slice(0, ownPage ? 5 : undefined).map((r, i) => (
              <tr key={i}>
                <td>{when(r.at)}</td>
                <td>
                  <code>{r.code}</code>
                </td>
                <td>{r.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
