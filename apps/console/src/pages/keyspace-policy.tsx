import { SEVERITIES } from '@tessera/api';
import type { FormEvent } from 'react';
import { api, can, type Answer } from '../api.js';
import { Field, NumberField, type NumberFieldProps } from '../field.js';
import { FormError } from '../form-error.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { Options } from '../options.js';
import type { KeyspaceSectionProps } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';
import { RotationPolicyFields } from './rotation-policy-fields.js';
import { DetectionPolicyFields, detectionFields } from './detection-policy-fields.js';

type Policy = Answer<'GET /v1/keyspaces/{keyspaceId}/policy'>;

/** A number field's value: empty is null (never, none). */
const numberOrNull = (v: FormDataEntryValue | null) => (v === null || String(v).trim() === '' ? null : Number(v));

/** The policy's numbers about unused and expiring keys, as the form asks for them; an optional one is empty for none. */
const EXPIRY_NUMBERS: readonly (NumberFieldProps & {
  name: 'autoExpireUnusedDays' | 'autoExpireNoticeDays' | 'expiringNoticeDays' | 'creditsLowThreshold';
})[] = [
  { name: 'autoExpireUnusedDays', label: 'Expire keys unused for (days)', hint: 'Empty: never.', min: 1, max: 3660 },
  {
    name: 'autoExpireNoticeDays',
    label: 'Notice before such an expiry (days)',
    hint: 'A use within it cancels the expiry.',
    min: 0,
    max: 365,
    required: true,
  },
  {
    name: 'expiringNoticeDays',
    label: 'Expiring notice (days)',
    hint: 'A key.expiring webhook this long before a key expires.',
    min: 0,
    max: 365,
    required: true,
  },
  { name: 'creditsLowThreshold', label: 'Credits low below', hint: 'Empty: no notice.', min: 0 },
];

/**
 * How a keyspace answers anomalies and stale keys, how its anomaly detection is tuned, and how
 * long its keys live and how often they are rotated (`GET`/`PUT /v1/keyspaces/{id}/policy`), and,
 * for those who manage keyspaces, the hygiene sweep run now rather than at the next hour.
 */
export function KeyspacePolicySection({ keyspaceId, keyspaceName, session, notify }: KeyspaceSectionProps) {
  const [result, reload] = useLoad(() => api<Policy>('GET', `/v1/keyspaces/${keyspaceId}/policy`), [keyspaceId]);
  const { error, setError, send } = useFormSend();
  const manage = can(session, 'keyspaces:manage');

  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    let detection: ReturnType<typeof detectionFields>;
    try {
      detection = detectionFields(data);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    const saved = api<Policy>('PUT', `/v1/keyspaces/${keyspaceId}/policy`, {
      anomalyResponse: String(data.get('anomalyResponse')),
      suspendMinSeverity: String(data.get('suspendMinSeverity')),
      autoExpireUnusedDays: numberOrNull(data.get('autoExpireUnusedDays')),
      autoExpireNoticeDays: Number(data.get('autoExpireNoticeDays')),
      expiringNoticeDays: Number(data.get('expiringNoticeDays')),
      creditsLowThreshold: numberOrNull(data.get('creditsLowThreshold')),
      maxKeyLifetimeDays: numberOrNull(data.get('maxKeyLifetimeDays')),
      rotationIntervalDays: numberOrNull(data.get('rotationIntervalDays')),
      rotationNoticeDays: Number(data.get('rotationNoticeDays')),
      rotationGraceDays: Number(data.get('rotationGraceDays')),
      ...detection,
    });
    send(saved, () => {
      notify(`The policy of ${keyspaceName} is saved.`);
      reload();
    });
  };
  const sweep = () =>
    api<Answer<'POST /v1/hygiene/sweep'>>('POST', '/v1/hygiene/sweep').then(
      (r) =>
        notify(
          `Sweep done: ${r.expiring} expiring and ${r.creditsLow} credits-low notices, ${r.scheduled} expiries scheduled, ${r.cancelled} cancelled.`,
        ),
      (err: Error) => notify(err.message, 'error'),
    );

  return (
    <section className="card" aria-labelledby="ks-policy">
      <h2 id="ks-policy">Policy of {keyspaceName}</h2>
      {result.state !== 'ready' ? (
        <LoadStatus result={result} failed="The policy could not load" />
      ) : (
        <form key={result.data.updatedAt ?? 'defaults'} onSubmit={save} aria-labelledby="ks-policy">
          <p className="muted small">
            {result.data.updatedAt === null ? 'The defaults apply.' : `Last changed ${when(result.data.updatedAt)}.`}
          </p>
          <fieldset disabled={!manage}>
            <div className="edit-grid">
              <Field label="On an anomaly" hint="Suspending disables the key (audited, undone by enabling it).">
                <select name="anomalyResponse" defaultValue={result.data.anomalyResponse}>
                  <option value="alert">alert only</option>
                  <option value="suspend">suspend the key</option>
                </select>
              </Field>
              <Field label="Suspend from severity">
                <select name="suspendMinSeverity" defaultValue={result.data.suspendMinSeverity}>
                  <Options values={SEVERITIES} />
                </select>
              </Field>
              {EXPIRY_NUMBERS.map((n) => (
                <NumberField key={n.name} {...n} defaultValue={result.data[n.name] ?? ''} />
              ))}
            </div>
            <RotationPolicyFields policy={result.data} keyspaceName={keyspaceName} />
            <DetectionPolicyFields policy={result.data} />
          </fieldset>
          <FormError error={error} />
          {manage && (
            <div className="row">
              <button type="submit" className="primary">
                Save the policy
              </button>
              <button type="button" onClick={() => void sweep()}>
                Run the hygiene sweep now
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}
