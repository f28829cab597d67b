import type { FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { DurationField, secondsOf } from '../duration-field.js';
import { NumberField } from '../field.js';
import { FormError } from '../form-error.js';
import { duration, when } from '../format.js';
import { useFormSend } from '../use-form-send.js';

type Client = Answer<'GET /v1/oauth/clients'>['items'][number];

/** When a client's secret is due, in words: a badge once it is. */
export function SecretDue({ client: c }: { client: Client }) {
  if (c.secretRotation === null || c.secretRotationDueAt === null) return <span className="muted">no schedule</span>;
  const due = Date.parse(c.secretRotationDueAt) <= Date.now();
  return (
    <span className="nowrap">
      {due && <span className="badge overdue">due</span>} {when(c.secretRotationDueAt)}
    </span>
  );
}

/**
 * A client's secret-rotation schedule (`PATCH /v1/oauth/clients/{id}` `secretRotation`): every
 * how many days its secret falls due, and how long both secrets work when it is rotated; and a
 * rotation now, with that overlap. Tessera only says when; the owner rotates and hands the secret on.
 */
export function ClientSecretSchedule({
  client: c,
  onSaved,
  onRotated,
}: {
  client: Client;
  onSaved(c: Client, message: string): void;
  onRotated(secret: string, overlapSeconds: number): void;
}) {
  const { error, send } = useFormSend();
  const overlap = c.secretRotation?.overlapSeconds ?? null;
  const patch = (secretRotation: { intervalDays: number; overlapSeconds?: number } | null, message: string) =>
    send(api<Client>('PATCH', `/v1/oauth/clients/${c.clientId}`, { secretRotation }), (updated) => onSaved(updated, message));
  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const days = Number(new FormData(form).get('intervalDays'));
    const seconds = secondsOf(form, 'overlap');
    patch(
      { intervalDays: days, ...(seconds !== null && { overlapSeconds: seconds }) },
      `The secret of ${c.name} now falls due every ${days} days.`,
    );
  };
  const rotate = () =>
    send(api<Answer<'POST /v1/oauth/clients/{clientId}/rotate-secret'>>('POST', `/v1/oauth/clients/${c.clientId}/rotate-secret`, {}), (r) =>
      onRotated(r.clientSecret, overlap ?? 0),
    );

  return (
    <form className="schedule" onSubmit={save} aria-label={`Secret rotation of ${c.name}`}>
      <p className="small">
        {c.secretRotation === null
          ? 'No schedule: the secret never falls due.'
          : `Due ${when(c.secretRotationDueAt)}; rotating it keeps the old secret working for ${duration(overlap ?? 0)}.`}{' '}
        When it falls due, Tessera tells the owner (the oauth_client.secret_rotation_due webhook); the owner rotates it and hands the new
        secret to the client.
      </p>
      <div className="row">
        <NumberField
          label="Rotate the secret every (days)"
          name="intervalDays"
          min={1}
          max={3660}
          required
          defaultValue={c.secretRotation?.intervalDays ?? 90}
        />
        <DurationField
          label="Overlap"
          name="overlap"
          units={['hours', 'days']}
          seconds={overlap ?? 7 * 86_400}
          hint="Both secrets work this long after a rotation; at most half the interval."
        />
        <button type="submit">Save the schedule</button>
        {c.secretRotation !== null && (
          <button type="button" onClick={() => patch(null, `The secret of ${c.name} has no rotation schedule any more.`)}>
            Remove the schedule
          </button>
        )}
        <button type="button" className="primary" onClick={rotate}>
          Rotate the secret now
        </button>
      </div>
      <FormError error={error} />
    </form>
  );
}
