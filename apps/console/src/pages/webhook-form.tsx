import type { WebhookWithSecret } from '@tessera/api';
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { WEBHOOK_EVENTS } from '../monitoring-names.js';
import { useFormSend } from '../use-form-send.js';

/** `POST /v1/webhooks`: the record, and the signing secret this once. */
export type CreatedWebhook = WebhookWithSecret;

/** A new subscription: a URL and the events it wants (every event, or a chosen few). */
export function WebhookForm({ onCreated }: { onCreated(w: CreatedWebhook): void }) {
  const [every, setEvery] = useState(true);
  const { error, setError, send } = useFormSend();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const events = every ? ['*'] : data.getAll('event').map(String);
    if (events.length === 0) return setError('Choose at least one event, or every event.');
    const created = api<CreatedWebhook>('POST', '/v1/webhooks', {
      url: String(data.get('url')).trim(),
      events,
      enabled: data.get('enabled') === 'on',
    });
    send(created, onCreated);
  };

  return (
    <form className="inline-form" aria-labelledby="wh-title" onSubmit={submit}>
      <h3 id="wh-title">Add a webhook</h3>
      <Field label="URL" hint="Where Tessera POSTs the events: http:// or https://.">
        <input name="url" type="url" required maxLength={2048} pattern="https?://.+" spellCheck={false} autoFocus />
      </Field>
      <fieldset>
        <legend>Events</legend>
        <div className="check">
          <input type="checkbox" id="wh-every" checked={every} onChange={(e) => setEvery(e.target.checked)} />
          <label htmlFor="wh-every">Every event, including ones added later</label>
        </div>
        <div className="event-grid">
          {WEBHOOK_EVENTS.map((ev) => (
            <div className="check" key={ev}>
              <input type="checkbox" name="event" value={ev} id={`wh-${ev}`} disabled={every} />
              <label htmlFor={`wh-${ev}`}>
                <code>{ev}</code>
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <div className="check">
        <input type="checkbox" name="enabled" id="wh-enabled" defaultChecked />
        <label htmlFor="wh-enabled">Enabled</label>
      </div>
      <FormFooter error={error} submit="Add webhook" />
    </form>
  );
}
