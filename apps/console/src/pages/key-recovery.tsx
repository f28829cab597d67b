import { useEffect, useRef, useState } from 'react';
import { api, type Answer } from '../api.js';
import type { Notify } from '../page-props.js';

/**
 * Reading back a key of a recoverable keyspace (`GET /v1/keys/{keyId}/recover`, permission
 * `keys:recover`): hidden until asked for, each read written to the audit log before the key is
 * decrypted, then copy or hide. Shown only where a read can succeed: a recoverable keyspace and a
 * key not revoked.
 */
export function KeyRecovery({ keyId, label, notify, onRead }: { keyId: string; label: string; notify: Notify; onRead(): void }) {
  const [key, setKey] = useState<string | null>(null);
  const showButton = useRef<HTMLButtonElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);
  // Focus follows the change: to Copy once shown, back to Show once hidden.
  useEffect(() => {
    if (moved.current) (key === null ? showButton : copyButton).current?.focus();
  }, [key]);

  const read = async () => {
    try {
      const r = await api<Answer<'GET /v1/keys/{keyId}/recover'>>('GET', `/v1/keys/${encodeURIComponent(keyId)}/recover`);
      moved.current = true;
      setKey(r.key);
      notify(`Read back the key of ${label}; the read is in the audit log.`);
      onRead();
    } catch (err) {
      notify((err as Error).message, 'error');
    }
  };

  return (
    <section className="card" aria-labelledby="kr-title">
      <h2 id="kr-title">Read the key back</h2>
      <p className="muted">
        This keyspace keeps its keys encrypted, so an owner or admin can read one again. Every read is written to the audit log with your
        name.
      </p>
      {key === null ? (
        <button type="button" ref={showButton} onClick={() => void read()}>
          Show the key
        </button>
      ) : (
        <div className="key-box">
          <code data-testid="recovered-key">{key}</code>
          <button
            type="button"
            ref={copyButton}
            onClick={() =>
              void navigator.clipboard.writeText(key).then(
                () => notify('The key is on your clipboard.'),
                () => notify('The browser would not copy; select the key and copy it by hand.', 'error'),
              )
            }
          >
            Copy
          </button>
          <button type="button" onClick={() => setKey(null)}>
            Hide the key
          </button>
        </div>
      )}
    </section>
  );
}
