import { useState } from 'react';
import { errorText } from './api.js';

/**
 * A form's message when it is refused, and `send`, which clears the message, makes the form's
 * request and hands the answer to `done`; a refusal becomes the message, in the server's words.
 * `setError` is for what the form itself refuses before it sends anything.
 */
export function useFormSend() {
  const [error, setError] = useState<string | null>(null);
  const send = <T>(request: Promise<T>, done: (answer: T) => void) => {
    setError(null);
    request.then(done, (err: unknown) => setError(errorText(err)));
  };
  return { error, setError, send };
}
