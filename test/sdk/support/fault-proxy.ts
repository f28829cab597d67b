import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'pass' | 'reset' | 'hang' | 'lose-answer' | { status: number; retryAfter?: number };

/**
 * A loopback HTTP proxy in front of a real Tessera that misbehaves on cue: each request takes the
 * next fault from the queue (then passes through), so retries and timeouts meet real sockets.
 */
export interface FaultProxy {
  url: string;
  /** Requests seen, as `METHOD /path`. */
  seen: string[];
  /** The `Idempotency-Key` of each request seen (undefined when it had none). */
  idempotencyKeys: (string | undefined)[];
  faults: Fault[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const hung = new Set<ServerResponse>();
  const proxy: FaultProxy = { url: '', seen: [], idempotencyKeys: [], faults: [], close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    proxy.seen.push(`${req.method} ${req.url!.split('?')[0]}`);
    const key = req.headers['idempotency-key'];
    proxy.idempotencyKeys.push(typeof key === 'string' ? key : undefined);
    const fault = proxy.faults.shift() ?? 'pass';
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'hang') return void hung.add(res);
    if (typeof fault === 'object') {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers);
      return void res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Injected',
          status: fault.status,
          detail: 'injected by the test proxy',
          code: 'STORE_UNAVAILABLE',
        }),
      );
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        // The server carried the request out and answered; the answer is lost on the way back.
        if (fault === 'lose-answer') return void up.resume().on('end', () => req.socket.destroy());
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
