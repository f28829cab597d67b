import { useState } from 'react';
import { errorText } from './api.js';

/**
 * A form's message when it is refused, and `send`, which clears the message, makes the form's
 * request and hands the answer to `done`; a refusal becomes the message, in the server's words.
 * `setError` is for what the form itself refuses before it sends anything. `sending` is true
 * while a request runs, for a button that waits for it.
 *
 * With `words`, a refusal is told in the form's words instead (the server's names for fields as
 * the form's labels say them); with `onRefused`, the message is also told elsewhere, such as in a
 * toast through `notify`. Both are optional: `useFormSend()` alone is the common case.
 */
export function useFormSend({
  words = (detail) => detail,
  onRefused,
}: { words?(detail: string): string; onRefused?(message: string): void } = {}) {
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const refuse = (err: unknown) => {
    const message = words(errorText(err));
    setError(message);
    onRefused?.(message);
  };
  const send = <T>(request: Promise<T>, done: (answer: T) => void) => {
    setError(null);
    setSending(true);
    request.then(done, refuse).finally(() => setSending(false));
  };
  return { error, setError, sending, send };
}
