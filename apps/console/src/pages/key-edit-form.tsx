import type { FormEvent } from 'react';
import { api } from '../api.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { useFormSend } from '../use-form-send.js';
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

/** A key's rate limits as the field shows them: one a line, `name limit seconds`, then `owner` for an owner's shared counter. */
const limitsText = (k: Key) =>
  k.ratelimits.map((r) => `${r.name} ${r.limit} ${r.windowMs / 1000}${r.identity === 'owner' ? ' owner' : ''}`).join('\n');

/** The field's lines as rate limits, or the line that is not one. */
function parseLimits(text: string): Key['ratelimits'] | string {
  const out: Key['ratelimits'] = [];
  for (const line of list(text, /\n/)) {
    const [name, limit, seconds, identity, ...rest] = line.split(/\s+/);
    const n = Number(limit);
    const ms = Math.round(Number(seconds) * 1000);
    if (!name || !Number.isInteger(n) || n < 1 || !(ms >= 100) || (identity !== undefined && identity !== 'owner') || rest.length > 0)
      return line;
    out.push({ name, limit: n, windowMs: ms, ...(identity === 'owner' && { identity: 'owner' as const }) });
  }
  return out;
}

/**
 * A key's attributes to change: name, owner, environment, scopes, IP allowlist, expiry, rate limits,
 * credits, metadata.
 * Only what changed is sent (`PATCH /v1/keys/{keyId}`); an emptied field is cleared.
 */
export function KeyEditForm({ keyInfo: k, onSaved, onCancel }: { keyInfo: Key; onSaved(changed: string[]): void; onCancel(): void }) {
  const { error, setError, send } = useFormSend();
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
    const ratelimits = parseLimits(text('ratelimits'));
    if (typeof ratelimits === 'string')
      return setError(`"${ratelimits}" is not a rate limit: write a name, a limit and a window in seconds, such as "requests 100 60".`);
    const credits = text('credits');
    if (credits !== '' && !/^\d+$/.test(credits)) return setError('Credits must be a whole number, or empty for unlimited.');
    const expires = text('expiresAt');
    const next = {
      name: text('name') || null,
      ownerId: text('ownerId') || null,
      environment: text('environment') || null,
      scopes: list(text('scopes'), /[\s,]+/),
      ipAllowlist: list(text('ipAllowlist'), /[\s,]+/),
      expiresAt: expires === '' ? null : new Date(expires).toISOString(),
      meta,
      ratelimits,
      // A new balance keeps the key's refill.
      credits: credits === '' ? null : { remaining: Number(credits), refill: k.credits?.refill ?? null },
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
      ratelimits: k.ratelimits.map((r) => ({
        name: r.name,
        limit: r.limit,
        windowMs: r.windowMs,
        ...(r.identity === 'owner' && { identity: r.identity }),
      })),
      credits: k.credits === null ? null : { remaining: k.credits.remaining, refill: k.credits.refill ?? null },
    };
    const patch = Object.fromEntries(Object.entries(next).filter(([f, v]) => !same(v, current[f as keyof typeof current])));
    if (Object.keys(patch).length === 0) return setError('Nothing has changed.');
    send(api('PATCH', `/v1/keys/${k.keyId}`, patch), () => onSaved(Object.keys(patch)));
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
        <Field
          label="Rate limits"
          hint="One a line: a name, the limit, the window in seconds (and owner to share it between the owner's keys)."
        >
          <textarea name="ratelimits" rows={2} spellCheck={false} defaultValue={limitsText(k)} />
        </Field>
        <Field label="Credits" hint="Verifications left; empty for unlimited. A refill stays as it is.">
          <input name="credits" inputMode="numeric" defaultValue={k.credits?.remaining ?? ''} />
        </Field>
        <Field label="Metadata (JSON object)">
          <textarea name="meta" rows={2} spellCheck={false} defaultValue={k.meta ? JSON.stringify(k.meta) : ''} />
        </Field>
      </div>
      <FormFooter error={error} submit="Save changes" onCancel={onCancel} />
    </form>
  );
}
