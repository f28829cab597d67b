import { useState, type FormEvent } from 'react';
import { api, ApiError, type Answer } from '../api.js';
import { DurationField, secondsOf } from '../duration-field.js';
import { FormError } from '../form-error.js';
import { ago, duration, when } from '../format.js';
import type { Notify } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';
import type { Key } from './key-model.js';

type Rollover = Answer<'GET /v1/keys/{keyId}/rollover'>;

/** A rollover's state in words, for its badge. */
export const ROLLOVER_STATES: Record<Rollover['state'], { label: string; badge: string }> = {
  pending_first_use: { label: 'new key not used yet', badge: 'due' },
  successor_in_use: { label: 'new key in use', badge: 'active' },
  retired: { label: 'old key retired', badge: 'revoked' },
};

/** How a rollover ended, in words. */
export const RETIRED_BECAUSE: Record<NonNullable<Rollover['retiredReason']>, string> = {
  quiet: 'its traffic had stopped',
  deadline: 'the deadline came',
  revoked: 'it was revoked or deleted by hand',
};

/**
 * Rolling a key: a new key now, the old one kept for a grace period — or, with "retire once the
 * new one is in use", until the new key is in use and the old one has been quiet for a while,
 * the grace period then being the hard deadline.
 */
export function RollForm({
  keyInfo: k,
  notify,
  onRolled,
}: {
  keyInfo: Key;
  notify: Notify;
  onRolled(r: { keyId: string; key: string }, old: Key): void;
}) {
  const [usage, setUsage] = useState(false);
  const { error, send } = useFormSend({ onRefused: (message) => notify(message, 'error') });
  const roll = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const grace = secondsOf(form, 'grace') ?? 0;
    const quiet = secondsOf(form, 'quiet');
    const body = {
      gracePeriodSeconds: grace,
      ...(usage && { retireWhenUnused: true, ...(quiet !== null && { quietPeriodSeconds: quiet }) }),
    };
    // The old key as it is once rolled (its new expiry), for the page to show beside the new one.
    const rolled = api<Answer<'POST /v1/keys/{keyId}/roll'>>('POST', `/v1/keys/${k.keyId}/roll`, body).then(async (r) => ({
      r,
      old: await api<Key>('GET', `/v1/keys/${k.keyId}`),
    }));
    send(rolled, ({ r, old }) => onRolled(r, old));
  };
  return (
    <form className="roll" onSubmit={roll} aria-label={`Roll ${k.name ?? k.keyId}`}>
      <div className="check">
        <input type="checkbox" id="roll-usage" checked={usage} onChange={(e) => setUsage(e.target.checked)} />
        <label htmlFor="roll-usage">Retire the old key once the new one is in use and the old one is quiet</label>
      </div>
      <div className="row">
        <DurationField
          label={usage ? 'Deadline: the old key expires at the latest after' : 'Grace period'}
          name="grace"
          seconds={usage ? 14 * 86_400 : 3600}
          key={usage ? 'deadline' : 'grace'}
          required
          hint={usage ? 'Whatever its traffic, the old key stops then.' : 'The old key keeps working this long; 0 ends it at once.'}
        />
        {usage && (
          <DurationField
            label="Quiet period"
            name="quiet"
            seconds={86_400}
            required
            hint="Once the new key is in use, the old one retires after no use for this long; 0 retires it as soon as the new key is seen in use."
          />
        )}
        <button type="submit">Roll key</button>
      </div>
      <FormError error={error} />
    </form>
  );
}

/**
 * Where a usage-driven rollover from this key stands: whether the new key is in use yet, when the
 * old one was last seen, and when it retires. Nothing for a key rolled with a plain grace period.
 */
export function RolloverStatus({ keyId, onOpen }: { keyId: string; onOpen(keyId: string): void }) {
  const [result] = useLoad(
    () =>
      api<Rollover>('GET', `/v1/keys/${keyId}/rollover`).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
    [keyId],
  );
  if (result.state === 'loading' || (result.state === 'ready' && result.data === null)) return null;
  if (result.state === 'error')
    return (
      <p className="error" role="alert">
        The rollover could not load: {result.error.message}
      </p>
    );
  const r = result.data!;
  const state = ROLLOVER_STATES[r.state];
  return (
    <section className="rollover" aria-labelledby="ro-title" data-testid="rollover">
      <h3 id="ro-title">
        Rollover <span className={`badge ${state.badge}`}>{state.label}</span>
      </h3>
      <dl className="attrs">
        <dt>New key</dt>
        <dd>
          <button type="button" className="link" onClick={() => onOpen(r.successorKeyId)}>
            {r.successorKeyId}
          </button>
          {r.successorFirstUsedAt ? `, in use since ${when(r.successorFirstUsedAt)}` : ', not used yet'}
        </dd>
        <dt>Old key last seen</dt>
        <dd>{r.predecessorLastUsedAt ? `${when(r.predecessorLastUsedAt)} (${ago(r.predecessorLastUsedAt)})` : 'not since the roll'}</dd>
        <dt>Quiet period</dt>
        <dd>{r.quietPeriodSeconds === 0 ? 'none: the old key retires once the new one is seen in use' : duration(r.quietPeriodSeconds)}</dd>
        {r.state === 'retired' ? (
          <>
            <dt>Retired</dt>
            <dd>{`${when(r.retiredAt)}${r.retiredReason ? `, because ${RETIRED_BECAUSE[r.retiredReason]}` : ''}`}</dd>
          </>
        ) : (
          <>
            <dt>Retires at</dt>
            <dd data-testid="retires-at">
              {r.state === 'successor_in_use' && r.quietPeriodSeconds === 0
                ? 'now: the new key is in use'
                : `${when(r.retiresAt)}${r.state === 'pending_first_use' ? ' (the deadline: the new key is not in use yet)' : ' unless the old key is used again'}`}
            </dd>
          </>
        )}
        <dt>Deadline</dt>
        <dd>{when(r.deadline)}</dd>
      </dl>
    </section>
  );
}
