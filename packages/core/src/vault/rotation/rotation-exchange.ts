import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { pinnedLookup, resolveTarget, type WebhookTargetPolicy } from '../../webhooks/webhook-target.js';
import { RotationError } from './rotator.js';

const MAX_ANSWER_BYTES = 128 * 1024;

/**
 * POSTs a signed JSON request to a rotation endpoint and answers its status and body (at most
 * 128 KiB). The host is resolved once, checked against the webhook target policy and pinned, as
 * webhook deliveries are; redirects are not followed. Failures are {@link RotationError}s with
 * a coarse reason, never the socket error (which would name internal addresses).
 */
export async function exchange(
  url: string,
  post: { headers: Record<string, string>; body: string; timeoutMs: number },
  o: { lookup: LookupFunction; policy: WebhookTargetPolicy },
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  let lookup: LookupFunction;
  try {
    lookup = pinnedLookup(await resolveTarget(target, o.lookup, o.policy));
  } catch {
    throw new RotationError('the endpoint is not an allowed target, or its host did not resolve');
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
        lookup,
        signal: AbortSignal.timeout(post.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new RotationError('the endpoint answered more than 128 KiB'));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => {});
      },
    );
    req.on('error', (err) =>
      reject(
        err instanceof RotationError
          ? err
          : new RotationError(/abort|timeout/i.test(err.name) ? 'the endpoint timed out' : 'the endpoint could not be reached'),
      ),
    );
    req.end(post.body);
  });
}
