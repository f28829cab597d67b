import { useState } from 'react';
import { api, type Answer } from '../api.js';
import { NumberField, type NumberFieldProps } from '../field.js';
import { keyState, when } from '../format.js';
import { useLoad } from '../use-load.js';
import type { Key } from './key-model.js';

type Policy = Answer<'GET /v1/keyspaces/{keyspaceId}/policy'>;

/** The rotation schedule's numbers, in days, as the form asks for them; the interval is empty for no schedule. */
const SCHEDULE_NUMBERS: readonly (NumberFieldProps & { name: 'rotationIntervalDays' | 'rotationNoticeDays' | 'rotationGraceDays' })[] = [
  {
    name: 'rotationIntervalDays',
    label: 'Rotate keys every (days)',
    hint: 'Empty: no schedule. A key is due this long after it was made.',
    min: 1,
    max: 3660,
  },
  {
    name: 'rotationNoticeDays',
    label: 'Rotation notice (days)',
    hint: 'A key.rotation_due webhook this long before a key is due.',
    min: 0,
    max: 365,
    required: true,
  },
  {
    name: 'rotationGraceDays',
    label: 'Rotation grace (days)',
    hint: 'A key not rolled by its due date works this much longer, then expires.',
    min: 0,
    max: 365,
    required: true,
  },
];

/** Every key of a keyspace, page after page (a preview needs them all, not the first hundred). */
export async function keysOf(keyspaceId: string): Promise<Key[]> {
  const keys: Key[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ keyspaceId, limit: '100', ...(cursor !== null && { cursor }) });
    const page: Answer<'GET /v1/keys'> = await api('GET', `/v1/keys?${q}`);
    keys.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return keys;
}

/** The keys a maximum lifetime can reach: live ones, not honeytokens. */
const liveKeys = async (keyspaceId: string) =>
  (await keysOf(keyspaceId)).filter((k) => {
    const s = keyState(k);
    return (s === 'active' || s === 'disabled') && !k.decoy;
  });

/**
 * The keys a maximum lifetime of `days` reaches, as the server applies it when the policy is
 * saved: live keys (not honeytokens) without an expiry or expiring later than the limit.
 */
export function reachedBy(keys: Key[], days: number, now = Date.now()): { limit: Date; keys: Key[] } {
  const limit = new Date(now + days * 86_400_000);
  return { limit, keys: keys.filter((k) => k.expiresAt === null || Date.parse(k.expiresAt) > limit.getTime()) };
}

/**
 * The rotation half of a keyspace's policy: the maximum key lifetime, the rotation schedule, its
 * notice and grace. Before the policy is saved it says what a maximum lifetime does to the keys
 * already there: each it reaches gets an expiry at the limit, and its owner a notice at once.
 */
export function RotationPolicyFields({ policy, keyspaceName }: { policy: Policy; keyspaceName: string }) {
  const [maxDays, setMaxDays] = useState(policy.maxKeyLifetimeDays === null ? '' : String(policy.maxKeyLifetimeDays));
  const [keys] = useLoad(() => liveKeys(policy.keyspaceId), [policy.keyspaceId]);
  const days = maxDays.trim() === '' ? null : Number(maxDays);
  const valid = days !== null && Number.isInteger(days) && days >= 1;
  const changed = days !== policy.maxKeyLifetimeDays;

  let preview: string | null = null;
  if (valid && changed && keys.state === 'ready') {
    const { limit, keys: reached } = reachedBy(keys.data, days);
    preview =
      reached.length === 0
        ? `Saving this gives no existing key a new expiry: every live key of ${keyspaceName} already expires by ${when(limit.toISOString())}.`
        : `Saving this gives ${reached.length === 1 ? '1 existing key' : `${reached.length} existing keys`} of ${keyspaceName} ` +
          `an expiry on ${when(limit.toISOString())} (${reached
            .slice(0, 5)
            .map((k) => k.name ?? k.start)
            .join(', ')}${reached.length > 5 ? ', …' : ''}). ` +
          'Each owner is told at once (a key.expiring notice); renew or roll a key before then to keep it working. ' +
          'Lifting the limit later does not take the expiries back.';
  } else if (valid && changed && keys.state === 'loading') preview = 'Counting the keys this limit reaches…';

  return (
    <fieldset className="rotation">
      <legend>Rotation</legend>
      <div className="edit-grid">
        <NumberField
          label="Maximum key lifetime (days)"
          hint="Empty: no limit. New keys get an expiry within it; none may be set later."
          name="maxKeyLifetimeDays"
          min={1}
          max={3660}
          value={maxDays}
          onChange={(e) => setMaxDays(e.target.value)}
          aria-controls="lifetime-preview"
        />
        {SCHEDULE_NUMBERS.map((n) => (
          <NumberField key={n.name} {...n} defaultValue={policy[n.name] ?? ''} />
        ))}
      </div>
      <p id="lifetime-preview" className={preview === null ? 'sr-only' : 'notice'} aria-live="polite" data-testid="lifetime-preview">
        {preview ?? ''}
      </p>
    </fieldset>
  );
}
