import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: string;
  signature: string;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** What an endpoint answers to one request, when a test decides it per request. */
export type Answerer = (received: Received) => { status: number; body?: string };

/**
 * A webhook endpoint on loopback that answers `status` (200 unless told), or what `answer` says
 * for each request, and keeps what it was sent.
 */
export async function startWebhookReceiver({
  status = 200,
  answer,
}: { status?: number; answer?: Answerer } = {}): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const r = { body, signature: String(req.headers['tessera-signature'] ?? '') };
      received.push(r);
      if (answer !== undefined) {
        const a = answer(r);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      } else res.writeHead(status).end(status === 204 ? undefined : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tessera`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Whether `signature` (`t=<unix>,v1=<hex>`) is HMAC-SHA256(secret, "<t>.<body>"). */
export function signedWith(secret: string, { body, signature }: Received): boolean {
  const parts = Object.fromEntries(signature.split(',').map((p) => p.split('=') as [string, string]));
  if (parts.t === undefined || parts.v1 === undefined) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
