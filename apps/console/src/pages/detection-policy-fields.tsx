import type { Answer } from '../api.js';
import { Field, NumberField } from '../field.js';

type Policy = Answer<'GET /v1/keyspaces/{keyspaceId}/policy'>;

/** `0-5, 22, 23` → [0, 1, 2, 3, 4, 5, 22, 23] (a range may wrap midnight); throws on anything else. */
export function parseHours(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*(\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (m === null || from > 23 || to > 23) throw new Error(`Quiet hours: "${part.trim()}" is not an hour (0–23) or a range of them.`);
    for (let h = from; ; h = (h + 1) % 24) {
      out.add(h);
      if (h === to) break;
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The detection tuning a form holds, as the policy's fields. */
export function detectionFields(data: FormData): Pick<Policy, 'detectionSensitivity' | 'quietHours' | 'knownNetworks'> {
  return {
    detectionSensitivity: Number(data.get('detectionSensitivity')),
    quietHours: parseHours(String(data.get('quietHours') ?? '')),
    knownNetworks: String(data.get('knownNetworks') ?? '')
      .split(/[\s,]+/)
      .filter((n) => n !== ''),
  };
}

/** The detection half of a keyspace's policy: sensitivity, quiet hours, known networks. */
export function DetectionPolicyFields({ policy }: { policy: Policy }) {
  return (
    <fieldset className="detection">
      <legend>Anomaly detection</legend>
      <div className="edit-grid">
        <NumberField
          label="Sensitivity"
          hint="1 as built; 2 finds at half the usual excess, 0.5 at twice it (0.25–4)."
          name="detectionSensitivity"
          min={0.25}
          max={4}
          step={0.05}
          required
          defaultValue={policy.detectionSensitivity}
        />
        <Field label="Quiet hours (UTC)" hint="Hours no key of this keyspace is used, e.g. 0-5, 22. Any use then is a finding.">
          <input name="quietHours" type="text" autoComplete="off" spellCheck={false} defaultValue={policy.quietHours.join(', ')} />
        </Field>
        <Field label="Known networks" hint="CIDRs or addresses, one a line: never a new network or impossible travel.">
          <textarea name="knownNetworks" rows={3} spellCheck={false} autoComplete="off" defaultValue={policy.knownNetworks.join('\n')} />
        </Field>
      </div>
    </fieldset>
  );
}
