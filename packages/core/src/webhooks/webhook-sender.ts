import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostLookup } from '../net/host-lookup.js';

/** One delivery attempt: the signed headers, the JSON body, and how long the whole exchange may take. */
export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs a delivery and answers the receiver's status; rejects when no answer comes in time.
 * Redirects are not followed: a 3xx is the receiver's answer.
 */
export type WebhookSender = (url: string, post: WebhookPost) => Promise<number>;

/**
 * The sender over node:http(s), with certificates checked as Node does by default (against the
 * URL's host name, sent as SNI). Host names are resolved by `lookup`, by default
 * {@link hostLookup}: not by getaddrinfo(), which would hold a thread of libuv's pool — the pool
 * that signs access tokens — for as long as a DNS server is slow, beyond any timeout.
 */
export function webhookSender(lookup: LookupFunction = hostLookup()): WebhookSender {
  return async (url, post) => {
    const target = new URL(url);
    const options: RequestOptions = {
      method: 'POST',
      // A length, not chunked encoding, which some receivers refuse.
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup,
      // Covers the lookup, connecting and the answer; a body still arriving after the status is cut off then too.
      signal: AbortSignal.timeout(post.timeoutMs),
    };
    try {
      return await send(target, options, post.body);
    } catch (err) {
      // A kept-alive connection that the receiver closed as it was reused: nothing was answered, so
      // send once more on a new one, as Node's documentation of `request.reusedSocket` advises.
      if (err !== STALE_CONNECTION) throw err;
      return await send(target, options, post.body);
    }
  };
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
