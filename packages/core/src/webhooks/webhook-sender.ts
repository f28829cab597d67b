import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostLookup } from '../net/host-lookup.js';
import { pinnedLookup, resolveTarget, WebhookSendError, type WebhookFailure, type WebhookTargetPolicy } from './webhook-target.js';

/** One delivery attempt: the signed headers, the JSON body, and how long the whole exchange may take. */
export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs a delivery and answers the receiver's status; rejects when no answer comes in time.
 * Redirects are not followed (a 3xx is the receiver's answer), so they cannot lead elsewhere.
 */
export type WebhookSender = (url: string, post: WebhookPost) => Promise<number>;

/** The sender's lookup and target policy; by default {@link hostLookup}, and https to public addresses only. */
export interface WebhookSenderOptions {
  lookup?: LookupFunction;
  policy?: WebhookTargetPolicy;
}

/**
 * The sender over node:http(s), with certificates checked as Node does by default (against the
 * URL's host name, sent as SNI). The host is resolved once, by `lookup` — by default
 * {@link hostLookup}, not getaddrinfo(), which would hold a thread of libuv's pool (the pool that
 * signs access tokens) for as long as a DNS server is slow — every address is checked against
 * the policy, and the connection is pinned to the checked addresses, so a DNS answer that changes
 * between the check and the connection (rebinding) changes nothing. Failures reject with a
 * {@link WebhookSendError}: a coarse class, and the original error as its cause.
 */
export function webhookSender(options: WebhookSenderOptions = {}): WebhookSender {
  const lookup = options.lookup ?? hostLookup();
  const policy = options.policy ?? { allowHttp: false, allowPrivate: false };
  return async (url, post) => {
    const target = new URL(url);
    // Covers the lookup, connecting and the answer; a body still arriving after the status is cut off then too.
    const signal = AbortSignal.timeout(post.timeoutMs);
    const checked = await beforeAbort(resolveTarget(target, lookup, policy), signal);
    const requestOptions: RequestOptions = {
      method: 'POST',
      // A length, not chunked encoding, which some receivers refuse.
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup: pinnedLookup(checked),
      signal,
    };
    try {
      try {
        return await send(target, requestOptions, post.body);
      } catch (err) {
        // A kept-alive connection that the receiver closed as it was reused: nothing was answered, so
        // send once more on a new one, as Node's documentation of `request.reusedSocket` advises.
        if (err !== STALE_CONNECTION) throw err;
        return await send(target, requestOptions, post.body);
      }
    } catch (err) {
      throw new WebhookSendError(failureOf(err as NodeJS.ErrnoException), (err as Error).message, { cause: err });
    }
  };
}

/** The promise, or a timeout failure if the signal aborts first. */
function beforeAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new WebhookSendError('timeout', 'resolving the host took too long', { cause: signal.reason }));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** The class of a failed request, from Node's error: its time limit, TLS, or anything else on the way. */
function failureOf(err: NodeJS.ErrnoException): WebhookFailure {
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') return 'timeout';
  const code = err.code ?? '';
  if (/^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|^UNABLE_TO_|^EPROTO$/.test(code)) return 'tls_error';
  return 'connection_failed';
}

const STALE_CONNECTION = new Error('the kept-alive connection was closed by the receiver');

function send(target: URL, options: RequestOptions, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(target, options, (res) => {
      res.resume(); // the body is not read, only drained, so the connection can be used again
      resolve(res.statusCode!);
    });
    // After an answer, the promise is settled and a later error changes nothing.
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(req.reusedSocket && err.code === 'ECONNRESET' ? STALE_CONNECTION : described(err)),
    );
    req.end(body);
  });
}

/** Node reports failing to connect to each address of a name as an AggregateError without a message: say what failed. */
function described(err: Error): Error {
  if (!(err instanceof AggregateError) || err.message !== '') return err;
  const messages = new Set(err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))));
  return Object.assign(new Error([...messages].join('; ')), { code: (err as NodeJS.ErrnoException).code });
}
