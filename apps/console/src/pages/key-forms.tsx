import { useState, type FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { Field, NumberField } from '../field.js';
import { FormFooter } from '../form-error.js';
import { formValues } from '../form-values.js';
import type { Notify } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import type { Keyspace } from './key-model.js';
import { KeyspaceSelect } from './keyspace-select.js';

const list = (text: string | undefined) =>
  (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function KeyspaceForm({ notify, onCreated }: { notify: Notify; onCreated(): void }) {
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = formValues(e.currentTarget);
    const recoverable = (e.currentTarget.elements.namedItem('recoverable') as HTMLInputElement).checked;
    api('POST', '/v1/keyspaces', { name: v.name, prefix: v.prefix, ...(recoverable && { recoverable }) }).then(onCreated, (err: Error) =>
      notify(err.message, 'error'),
    );
  };
  return (
    <form className="inline-form" aria-labelledby="ks-title" onSubmit={submit}>
      <h2 id="ks-title">Create a keyspace</h2>
      <Field label="Name">
        <input name="name" required />
      </Field>
      <Field label="Prefix" hint="Lower-case letters, digits and _, e.g. sk_live.">
        <input name="prefix" required pattern="[a-z][a-z0-9_]{0,15}" spellCheck={false} />
      </Field>
      <div className="check">
        <input type="checkbox" name="recoverable" id="ks-recoverable" value="on" aria-describedby="ks-recoverable-hint" />
        <label htmlFor="ks-recoverable">Recoverable keys</label>
      </div>
      <p className="hint" id="ks-recoverable-hint">
        Keeps each key encrypted as well as hashed, so owners and admins can read a key back later (every read is audited). Cannot be
        changed afterwards; leave it off unless you need it.
      </p>
      <button type="submit" className="primary">
        Create keyspace
      </button>
    </form>
  );
}

/** Every attribute of a key (docs/api-keys.md) has a field here. */
export function CreateKeyForm({
  keyspaceId,
  keyspaces,
  onCreated,
}: {
  keyspaceId: string;
  keyspaces: Keyspace[];
  onCreated(r: { keyId: string; key: string }, name: string | undefined): void;
}) {
  const [limits, setLimits] = useState(1);
  const { error, setError, send } = useFormSend();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const v = formValues(form);
    const created = (r: { keyId: string; key: string }) => onCreated(r, v.name || undefined);
    if ((form.elements.namedItem('decoy') as HTMLInputElement).checked) {
      // A decoy keeps only what makes it look real; any use of it is a critical anomaly.
      const decoy = {
        keyspaceId: v.keyspaceId,
        ...(v.name && { name: v.name }),
        ...(v.ownerId && { ownerId: v.ownerId }),
        ...(v.scopes && { scopes: list(v.scopes) }),
      };
      return send(api<Answer<'POST /v1/honeytokens'>>('POST', '/v1/honeytokens', decoy), created);
    }
    const body: Record<string, unknown> = {
      keyspaceId: v.keyspaceId,
      enabled: (form.elements.namedItem('enabled') as HTMLInputElement).checked,
    };
    if (v.name) body.name = v.name;
    if (v.ownerId) body.ownerId = v.ownerId;
    if (v.environment) body.environment = v.environment;
    if (v.scopes) body.scopes = list(v.scopes);
    if (v.expiresAt) body.expiresAt = new Date(v.expiresAt).toISOString();
    if (v.ttlSeconds) body.ttlSeconds = Number(v.ttlSeconds);
    if (v.ipAllowlist) body.ipAllowlist = list(v.ipAllowlist);
    if (v.credits)
      body.credits = {
        remaining: Number(v.credits),
        ...(v.refillAmount &&
          v.refillInterval && { refill: { amount: Number(v.refillAmount), intervalSeconds: Number(v.refillInterval) } }),
      };
    if (v.meta) {
      try {
        body.meta = JSON.parse(v.meta);
      } catch {
        setError('Metadata must be a JSON object, e.g. {"plan": "pro"}.');
        return;
      }
    }
    const data = new FormData(form);
    const names = data.getAll('rl_name').map(String);
    const counts = data.getAll('rl_limit').map(String);
    const windows = data.getAll('rl_window').map(String);
    const ratelimits = names
      .map((name, i) => ({ name: name.trim(), limit: Number(counts[i]), windowMs: Math.round(Number(windows[i] || 1) * 1000) }))
      .filter((r) => r.name && r.limit > 0);
    if (ratelimits.length > 0) body.ratelimits = ratelimits;
    send(api<Answer<'POST /v1/keys'>>('POST', '/v1/keys', body), created);
  };

  return (
    <form className="create-key" aria-labelledby="ck-title" onSubmit={submit}>
      <h2 id="ck-title">Create a key</h2>
      <div className="grid">
        <Field label="Keyspace">
          <KeyspaceSelect keyspaces={keyspaces} name="keyspaceId" defaultValue={keyspaceId} autoFocus />
        </Field>
        <Field label="Name">
          <input name="name" maxLength={256} />
        </Field>
        <Field label="Owner" hint="Your customer's id; keys of one owner can be revoked together.">
          <input name="ownerId" maxLength={256} spellCheck={false} />
        </Field>
        <Field label="Environment">
          <input name="environment" placeholder="production" spellCheck={false} />
        </Field>
        <Field label="Scopes" hint="Separated by spaces or commas; wildcards such as documents:* work.">
          <input name="scopes" placeholder="documents:read documents:write" spellCheck={false} />
        </Field>
        <Field label="Expires at" hint="In your local time; leave empty for no expiry.">
          <input name="expiresAt" type="datetime-local" />
        </Field>
        <NumberField label="Or expires after (seconds)" hint="A temporary key." name="ttlSeconds" min={1} />
        <Field label="IP allowlist" hint="CIDRs; empty allows every address.">
          <input name="ipAllowlist" placeholder="203.0.113.0/24, 2001:db8::/32" spellCheck={false} />
        </Field>
        <NumberField label="Credits" hint="Uses left; empty for unlimited." name="credits" min={0} />
        <NumberField label="Refill amount" name="refillAmount" min={1} />
        <NumberField label="Refill every (seconds)" name="refillInterval" min={1} />
        <Field label="Metadata (JSON object)">
          <textarea name="meta" rows={2} spellCheck={false} placeholder='{"plan": "pro"}' />
        </Field>
      </div>
      <fieldset>
        <legend>Rate limits</legend>
        <div className="rl-rows">
          {Array.from({ length: limits }, (_, i) => (
            <div className="row" key={i}>
              <Field label="Limit name">
                <input name="rl_name" placeholder="per-second" spellCheck={false} />
              </Field>
              <NumberField label="Requests" name="rl_limit" min={1} />
              <NumberField label="Window (seconds)" name="rl_window" min={0.1} step="any" placeholder="1" />
            </div>
          ))}
        </div>
        <button type="button" onClick={() => setLimits(limits + 1)}>
          Add a limit
        </button>
      </fieldset>
      <div className="check">
        <input type="checkbox" name="enabled" id="ck-enabled" defaultChecked value="on" />
        <label htmlFor="ck-enabled">Enabled</label>
      </div>
      <div className="check">
        <input type="checkbox" name="decoy" id="ck-decoy" value="on" aria-describedby="ck-decoy-hint" />
        <label htmlFor="ck-decoy">A decoy (honeytoken)</label>
      </div>
      <p className="hint" id="ck-decoy-hint">
        A key that looks like any other, to plant where a thief would look: any use of it is a critical anomaly. Only its name, owner and
        scopes are kept.
      </p>
      <FormFooter error={error} submit="Create key" />
    </form>
  );
}
