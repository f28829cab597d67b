import { scrub, TesseraError, type Result } from './tessera-error.js';

export interface HttpClientOptions {
  /** Where Tessera listens, e.g. `https://tessera.internal:8080`. */
  baseUrl: string;
  /** The root key sent as `Authorization: Bearer …`. */
  rootKey?: string | undefined;
  /**
   * The workspace every call acts in, sent as `Tessera-Workspace`, for a root key that reaches
   * several; absent: the root key's own workspace.
   */
  workspace?: string | undefined;
  /** Per attempt; a call that times out is not retried (it may have been carried out). Default 5000 ms. */
  timeoutMs?: number | undefined;
  /**
   * Further attempts after a network error, a 5xx answer or `IDEMPOTENCY_KEY_IN_PROGRESS`. Default 2.
   * Every attempt of one POST, PUT or PATCH carries the same `Idempotency-Key`, so a retry whose
   * first attempt did reach the server gets its outcome instead of making a second change.
   */
  retries?: number | undefined;
  /** First backoff delay; doubled per attempt with full jitter, at most 2 s. Default 100 ms. */
  retryBaseMs?: number | undefined;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

export interface RequestInput {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Values of this request to keep out of error messages, besides the root key and anything key-shaped. */
  redact?: readonly string[] | undefined;
  /**
   * The `Idempotency-Key` of this call, sent unchanged on each of its retries. By default a fresh
   * random one for every POST, PUT and PATCH; `false` sends none (a read, such as verification).
   */
  idempotencyKey?: string | false | undefined;
}

/** Methods that change something: each call gets an `Idempotency-Key` of its own. */
const CHANGING = new Set(['POST', 'PUT', 'PATCH']);

const MAX_BACKOFF_MS = 2_000;
/** `application/json` and `application/<something>+json`; JSON lines and the like stay text. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** JSON over HTTP with timeouts, bounded retries with backoff, and problem+json errors as values. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly rootKey: string | undefined;
  private readonly workspace: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly fetch: typeof fetch;
  private readonly customFetch: boolean;

  constructor(o: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(o.baseUrl);
    } catch {
      throw new TypeError('baseUrl must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be an absolute http(s) URL');
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.rootKey = o.rootKey;
    this.workspace = o.workspace;
    this.timeoutMs = positive(o.timeoutMs, 5_000, 'timeoutMs');
    this.retries = o.retries === undefined ? 2 : Math.floor(nonNegative(o.retries, 'retries'));
    this.retryBaseMs = o.retryBaseMs === undefined ? 100 : nonNegative(o.retryBaseMs, 'retryBaseMs');
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.customFetch = o.fetch !== undefined;
  }

  async request<T>(method: string, path: string, input: RequestInput = {}): Promise<Result<T>> {
    const url = this.url(path, input.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.rootKey !== undefined) headers.authorization = `Bearer ${this.rootKey}`;
    if (this.workspace !== undefined) headers['tessera-workspace'] = this.workspace;
    let body: string | undefined;
    if (input.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body);
    }
    if (input.idempotencyKey !== false && CHANGING.has(method.toUpperCase())) {
      headers['idempotency-key'] = input.idempotencyKey ?? globalThis.crypto.randomUUID();
    }
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt<T>(method, url, headers, body, input.signal, input.redact ?? []);
      if (!('retry' in outcome)) return outcome;
      if (attempt >= this.retries || input.signal?.aborted) return { error: outcome.error };
      await sleep(this.backoff(attempt, outcome.retryAfterMs), input.signal);
    }
  }

  /**
   * Opens a long-lived response (server-sent events): only the connection is timed, not the
   * stream, which ends when `signal` aborts. On Node it uses its own connection through
   * node:http, because undici (behind `fetch`) opens a stray idle connection when a streaming
   * response is aborted, which keeps the server from closing; elsewhere it uses `fetch`.
   */
  async stream(path: string, signal: AbortSignal): Promise<Result<AsyncIterable<Uint8Array>>> {
    const url = this.url(path, undefined);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.rootKey !== undefined) headers.authorization = `Bearer ${this.rootKey}`;
    if (this.workspace !== undefined) headers['tessera-workspace'] = this.workspace;
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(), this.timeoutMs);
    const onAbort = () => connect.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const opened =
        this.customFetch || typeof process === 'undefined' || process.versions?.node === undefined
          ? await this.openWithFetch(url, headers, connect.signal)
          : await openWithNode(url, headers, connect.signal);
      clearTimeout(timer);
      if (opened.status === 200) return { result: opened.body };
      return { error: this.problem('GET', url, opened.status, opened.text, undefined) };
    } catch {
      if (signal.aborted) return { error: new TesseraError('ABORTED', `GET ${path} was aborted`) };
      return { error: new TesseraError(connect.signal.aborted ? 'TIMEOUT' : 'NETWORK_ERROR', `GET ${path} failed`) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async openWithFetch(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Opened> {
    const response = await this.fetch(url, { headers, signal, redirect: 'manual' });
    if (response.status === 200 && response.body !== null)
      return { status: 200, body: response.body as unknown as AsyncIterable<Uint8Array>, text: '' };
    return { status: response.status, body: emptyStream(), text: await response.text().catch(() => '') };
  }

  private async attempt<T>(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    redact: readonly string[],
  ): Promise<Result<T> | { retry: true; error: TesseraError; retryAfterMs?: number }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, body, signal: combined, redirect: 'manual' });
    } catch (err) {
      if (signal?.aborted) return { error: new TesseraError('ABORTED', `${method} ${this.safePath(url, redact)} was aborted`) };
      if (timeout.aborted)
        return { error: new TesseraError('TIMEOUT', `${method} ${this.safePath(url, redact)} got no answer within ${this.timeoutMs} ms`) };
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      return {
        retry: true,
        error: new TesseraError(
          'NETWORK_ERROR',
          `${method} ${this.safePath(url, redact)} failed: ${typeof cause === 'string' ? cause : 'network error'}`,
        ),
      };
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      if (timeout.aborted)
        return { error: new TesseraError('TIMEOUT', `${method} ${this.safePath(url, redact)} got no answer within ${this.timeoutMs} ms`) };
      return { retry: true, error: new TesseraError('NETWORK_ERROR', `${method} ${this.safePath(url, redact)}: the answer was cut off`) };
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (response.ok) {
      if (response.status === 204 || text === '') return { result: undefined as T };
      if (!JSON_TYPE.test(response.headers.get('content-type') ?? '')) return { result: text as T };
      try {
        return { result: JSON.parse(text) as T };
      } catch {
        return {
          error: new TesseraError(
            'INVALID_RESPONSE',
            `${method} ${this.safePath(url, redact)}: the answer is not JSON`,
            response.status,
            requestId,
          ),
        };
      }
    }
    const error = this.problem(method, url, response.status, text, requestId, redact);
    // The first attempt under this Idempotency-Key is still running: a retry will get its outcome.
    if (response.status >= 500 || (response.status === 409 && error.code === 'IDEMPOTENCY_KEY_IN_PROGRESS')) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return { retry: true, error, ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }) };
    }
    return { error };
  }

  private problem(
    method: string,
    url: string,
    status: number,
    text: string,
    requestId: string | undefined,
    redact: readonly string[] = [],
  ): TesseraError {
    let code = `HTTP_${status}`;
    let detail = '';
    try {
      const p = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown };
      if (typeof p.code === 'string') code = p.code;
      if (typeof p.detail === 'string') detail = p.detail;
      else if (typeof p.title === 'string') detail = p.title;
    } catch {
      // not problem+json (a proxy's page, say): the status alone speaks
    }
    const message = `${method} ${this.safePath(url, redact)} answered ${status} ${code}${detail === '' ? '' : `: ${detail}`}`;
    return new TesseraError(code, scrub(message, [this.rootKey, ...redact]), status, requestId);
  }

  private url(path: string, query: RequestInput['query']): string {
    let url = this.baseUrl + path;
    if (query !== undefined) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs !== '') url += `?${qs}`;
    }
    return url;
  }

  /** The path for messages: no query string, nothing key-shaped. */
  private safePath(url: string, redact: readonly string[] = []): string {
    return scrub(url.slice(this.baseUrl.length).split('?')[0]!, [this.rootKey, ...redact]);
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const ceiling = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** attempt);
    const jittered = Math.random() * ceiling;
    return retryAfterMs !== undefined ? Math.min(MAX_BACKOFF_MS, Math.max(jittered, retryAfterMs)) : jittered;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number ≥ 0`);
  return value;
}

interface Opened {
  status: number;
  body: AsyncIterable<Uint8Array>;
  text: string;
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}

async function openWithNode(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Opened> {
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, signal, agent: false }, (res) => {
      if (res.statusCode === 200) return resolve({ status: 200, body: res, text: '' });
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d.slice(0, 4096)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: emptyStream(), text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
