import { useId, useState } from 'react';
import type { Notify } from './page-props.js';

/**
 * A credential shown once (a new key, a webhook's signing secret), with a copy button that takes
 * the focus; gone when the page changes. `noun` names it in the text and the test ids
 * (`new-key`, `copy-key`).
 */
export function ShowOnce({
  title,
  value,
  noun,
  note,
  notify,
  onHide,
}: {
  title: string;
  value: string;
  noun: string;
  note: string;
  notify: Notify;
  onHide(): void;
}) {
  const [copied, setCopied] = useState(false);
  const titleId = useId();
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => {
        setCopied(true);
        notify(`The ${noun} is on your clipboard.`);
      },
      () => notify(`The browser would not copy; select the ${noun} and copy it by hand.`, 'error'),
    );
  return (
    <section className="once" role="alert" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p>{`This is the only time the ${noun} is shown. Copy it now and store it safely: ${note}`}</p>
      <div className="key-box">
        <code data-testid={`new-${noun}`}>{value}</code>
        <button type="button" className="primary" data-testid={`copy-${noun}`} onClick={() => void copy()} autoFocus>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <button type="button" className="link" onClick={onHide}>
        {`I have stored it — hide the ${noun}`}
      </button>
    </section>
  );
}

/** A credential to show once: the heading, the value, and what Tessera keeps of it. */
export interface Reveal {
  title: string;
  value: string;
  note: string;
}

/**
 * The place near a page's top where a credential appears once: `shown`, or nothing while it is
 * null or undefined. `noun` names it as in `ShowOnce`; `onHide` clears it.
 */
export function RevealSlot({
  shown,
  noun,
  notify,
  onHide,
}: {
  shown: Reveal | null | undefined;
  noun: string;
  notify: Notify;
  onHide(): void;
}) {
  return (
    <div className="reveal-slot">
      {shown && (
        <ShowOnce key={shown.value} title={shown.title} value={shown.value} noun={noun} note={shown.note} notify={notify} onHide={onHide} />
      )}
    </div>
  );
}
