import type { HttpClient } from '../client/http-client.js';

/** What the server tells SDK caches: a key changed (revoked, updated, deleted), or forget everything. */
export type KeyEvent = { kind: 'key'; id: string } | { kind: 'all' };

export interface KeyEventsHandlers {
  /** A key changed. */
  onEvent(event: KeyEvent): void;
  /** The stream (re)connected: events may have been missed, so caches start over. */
  onReset(): void;
  /** The stream could not be opened or broke; it is retried with backoff. */
  onError?(error: Error): void;
}

/**
 * Follows `GET /v1/events` (server-sent events) and reconnects with backoff, until `close()`.
 * A 404 means the server has no event stream: following stops and caches rely on their TTL.
 */
export function followKeyEvents(http: HttpClient, handlers: KeyEventsHandlers): { close(): void; ready: Promise<boolean> } {
  const stop = new AbortController();
  let markReady: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  void (async () => {
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      const opened = await http.stream('/v1/events', stop.signal);
      if (opened.error !== undefined) {
        if (stop.signal.aborted) break;
        handlers.onError?.(opened.error);
        if (opened.error.status === 404 || opened.error.status === 401 || opened.error.status === 403) break;
        await delay(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2), stop.signal);
        continue;
      }
      try {
        for await (const event of readEvents(opened.result)) {
          if (event.type === 'ready') {
            handlers.onReset();
            markReady(true);
            attempt = -1;
          } else if (event.type === 'invalidate') {
            const message = parse(event.data);
            if (message !== undefined) handlers.onEvent(message);
          }
        }
      } catch (err) {
        if (!stop.signal.aborted) handlers.onError?.(err as Error);
      }
      if (!stop.signal.aborted) await delay(Math.min(30_000, 500 * 2 ** Math.min(Math.max(attempt, 0), 6)), stop.signal);
    }
    markReady(false);
  })();
  return { close: () => stop.abort(), ready };
}

function parse(data: string): KeyEvent | undefined {
  try {
    const m = JSON.parse(data) as { kind?: unknown; id?: unknown };
    if (m.kind === 'all') return { kind: 'all' };
    if (m.kind === 'key' && typeof m.id === 'string') return { kind: 'key', id: m.id };
  } catch {
    // ignore what cannot be read; the next reconnect resets the cache anyway
  }
  return undefined;
}

/** The events of a text/event-stream body (WHATWG HTML §9.2): `event:` and `data:` lines, blank line ends one. */
async function* readEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<{ type: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length > 0 || type !== 'message') yield { type, data: data.join('\n') };
        type = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
    }
    if (buffer.length > 65_536) throw new Error('event stream line too long');
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
