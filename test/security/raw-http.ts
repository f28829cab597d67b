import { request } from 'node:http';
import { ERROR_STATUS } from '@tessera/api';
import { expect } from 'vitest';

export interface RawRequest {
  method: string;
  /** Path and query exactly as sent: nothing is encoded or normalised on the way. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The source address to connect from (any 127.x.y.z works on loopback): another client. */
  localAddress?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One request over a fresh connection, byte for byte as given. fetch() would repair what we
 * want to send broken (lone surrogates, bad percent-encoding), and a kept-alive socket that the
 * server closed after a 413 would make the next request fail for reasons of our own.
 */
export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // Always framed: a body without a length on a GET would reach the server as a broken next request.
    const headers = { ...req.headers, ...(req.body !== undefined && { 'content-length': String(Buffer.byteLength(req.body)) }) };
    const where = { host: url.hostname, port: url.port, ...(req.localAddress !== undefined && { localAddress: req.localAddress }) };
    const r = request({ ...where, method: req.method, path: req.path, headers, agent: false }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        // A stream that stays open: its status and headers are the answer.
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
        r.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    // A server that hangs on bad input fails the test as surely as one that answers 500.
    r.setTimeout(10_000, () => r.destroy(new Error(`no answer within 10 s: ${req.method} ${req.path.slice(0, 200)}`)));
    r.end(req.body);
  });
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as a browser sends them). */
export function encodeAll(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

/**
 * The contract for bad input: never a 5xx, and every 4xx is an RFC 9457 problem+json with
 * Tessera's stable `code`, whose status is the one the code table gives.
 */
export function expectClientAnswer(res: RawResponse, req: Pick<RawRequest, 'method' | 'path'>): void {
  const where = `${req.method} ${req.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(res.status, where).toBeLessThan(500);
  if (res.status < 400) return;
  // A URL refused before any route sees it (undecodable, a parameter too long) gets a problem+json.
  const page = /^\/(oauth\/(authorize|device|logout|account|federation)|portal)(\/|\?|$)/.test(req.path);
  if (page && !String(res.headers['content-type']).startsWith('application/problem+json')) {
    // The authorization endpoint, the device flow's verification page, sign-out, the account page,
    // the start of a sign-in with an upstream provider and the way back, the key owners' portal and
    // their forms talk to a person's browser: an error about the request is a page, shown and never
    // redirected (RFC 6749 §4.1.2.1), and never framed.
    expect(String(res.headers['content-type']), where).toMatch(/^text\/html(;|$)/);
    expect(String(res.headers['content-security-policy']), where).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options'], where).toBe('DENY');
    expect(res.headers['cache-control'], where).toBe('no-store');
    return;
  }
  if (/^\/(oauth|\.well-known)\//.test(req.path) && !String(res.headers['content-type']).startsWith('application/problem+json')) {
    // The OAuth endpoints speak RFC 6749 §5.2 instead: {"error": "invalid_request", ...}.
    expect(String(res.headers['content-type']), where).toMatch(/^application\/json(;|$)/);
    expect(JSON.parse(res.text), where).toMatchObject({ error: expect.stringMatching(/^[a-z_]+$/) });
    return;
  }
  expect(String(res.headers['content-type']), where).toMatch(/^application\/problem\+json(;|$)/);
  if (req.method === 'HEAD') return;
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body, where).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
    status: res.status,
  });
  expect(ERROR_STATUS[body.code as keyof typeof ERROR_STATUS], where).toBe(res.status);
  if (res.status === 401) expect(res.headers['www-authenticate'], where).toMatch(/^Bearer /);
}
