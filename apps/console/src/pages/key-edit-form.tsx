import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.js';
import { Field } from '../field.js';
import type { Key } from './key-model.js';

/** An ISO time as a `datetime-local` value, in the browser's local time (the field's own zone). */
function localInput(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const list = (text: string, by: RegExp) =>
  text
    .split(by)
    .map((s) => s.trim())
    .filter((s) => s !== '');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A key's attributes to change: name, owner, environment, scopes, IP allowlist, expiry, metadata.
 * Only what changed is sent (`PATCH /v1/keys/{keyId}`); an emptied field is cleared.
 */
export function KeyEditForm({ keyInfo: k, onSaved, onCancel }: { keyInfo: Key; onSaved(changed: string[]): void; onCancel(): void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    let meta: unknown = null;
    if (text('meta') !== '') {
      try {
        meta = JSON.parse(text('meta'));
      } catch {
        meta = undefined;
      }
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
        return setError('Metadata must be a JSON object, e.g. {"plan": "pro"}.');
    }
    const expires = text('expiresAt');
    const next = {
      name: text('name') || null,
      ownerId: text('ownerId') || null,
      environment: text('environment') || null,
      scopes: list(text('scopes'), /[\s,]+/),
      ipAllowlist: list(text('ipAllowlist'), /[\s,]+/),
      expiresAt: expires === '' ? null : new Date(expires).toISOString(),
      meta,
    };
    const current = {
      name: k.name,
      ownerId: k.ownerId,
      environment: k.environment,
      scopes: k.scopes,
      ipAllowlist: k.ipAllowlist,
      // Compared to the minute, as the field shows it.
      expiresAt: k.expiresAt === null ? null : new Date(localInput(k.expiresAt)).toISOString(),
      meta: k.meta,
    };
    const patch = Object.fromEntries(Object.entries(next).filter(([f, v]) => !same(v, current[f as keyof typeof current])));
    if (Object.keys(patch).length === 0) return setError('Nothing has changed.');
    setError(null);
    api('PATCH', `/v1/keys/${k.keyId}`, patch).then(
      () => onSaved(Object.keys(patch)),
      (err: unknown) => setError(errorText(err)),
    );
  };
  return (
    <form className="inline-form" aria-labelledby="ke-title" onSubmit={submit}>
      <h3 id="ke-title">Edit the key</h3>
      <div className="edit-grid">
        <Field label="Name">
          <input name="name" defaultValue={k.name ?? ''} maxLength={256} />
        </Field>
        <Field label="Owner">
          <input name="ownerId" defaultValue={k.ownerId ?? ''} maxLength={256} spellCheck={false} />
        </Field>
        <Field label="Environment">
          <input name="environment" defaultValue={k.environment ?? ''} maxLength={64} spellCheck={false} />
        </Field>
        <Field label="Scopes" hint="Separated by spaces or commas.">
          <input name="scopes" defaultValue={k.scopes.join(' ')} spellCheck={false} />
        </Field>
        <Field label="IP allowlist" hint="CIDRs; empty allows every address.">
          <input name="ipAllowlist" defaultValue={k.ipAllowlist.join(', ')} spellCheck={false} />
        </Field>
        <Field label="Expires at" hint="In your local time; empty for no expiry.">
          <input name="expiresAt" type="datetime-local" defaultValue={localInput(k.expiresAt)} />
        </Field>
        <Field label="Metadata (JSON object)">
          <textarea name="meta" rows={2} spellCheck={false} defaultValue={k.meta ? JSON.stringify(k.meta) : ''} />
        </Field>
      </div>
      <div role="alert" className="form-error">
        {error !== null && <p className="error">{error}</p>}
      </div>
      <div className="row">
        <button type="submit" className="primary">
          Save changes
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
