import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { hostLookup } from '../net/host-lookup.js';
import type { LookupFunction } from 'node:net';
import { webhookSender } from './webhook-sender.js';

/** The receivers here listen on loopback over plain HTTP, which a deployment must allow. */
const LOOPBACK = { allowHttp: true, allowPrivate: ['127.0.0.0/8', '::1'] };
const sender = (lookup?: LookupFunction) => webhookSender({ policy: LOOPBACK, ...(lookup && { lookup }) });

const dir = mkdtempSync(join(tmpdir(), 'tessera-sender-'));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** Listens on 127.0.0.1 and answers the port; the server is closed after the file's tests. */
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function receiver(handler: RequestListener): Promise<number> {
  return listen(createServer(handler));
}

const post = { headers: { 'content-type': 'application/json', 'tessera-event': 'webhook.test' }, body: '{"note":"café"}', timeoutMs: 2000 };

describe('webhookSender', () => {
  it("POSTs the headers and body as given, with the body's length, to a receiver named by host name", async () => {
    const got: { method?: string; url?: string; headers?: IncomingHttpHeaders; body: string } = { body: '' };
    const port = await receiver((req, res) => {
      Object.assign(got, { method: req.method, url: req.url, headers: req.headers });
      req.setEncoding('utf8');
      req.on('data', (c: string) => (got.body += c));
      req.on('end', () => res.writeHead(204).end());
    });
    expect(await sender()(`http://localhost:${port}/hooks/tessera?token=abc`, post)).toBe(204);
    expect(got).toMatchObject({ method: 'POST', url: '/hooks/tessera?token=abc', body: post.body });
    expect(got.headers).toMatchObject({ ...post.headers, host: `localhost:${port}`, 'content-length': '16' });
    expect(got.headers).not.toHaveProperty('transfer-encoding');
  });

  it("answers a redirect's status and does not follow it", async () => {
    let followed = 0;
    const elsewhere = await receiver((_req, res) => {
      followed++;
      res.writeHead(204).end();
    });
    const port = await receiver((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${elsewhere}/` }).end('moved');
    });
    expect(await sender()(`http://127.0.0.1:${port}/`, post)).toBe(307);
    expect(followed).toBe(0);
  });

  it('keeps the connection for the next delivery, and sends again on a new one if the receiver closed it meanwhile', async () => {
    const connections: unknown[] = [];
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    server.on('connection', (c) => connections.push(c));
    const port = await listen(server);
    const send = sender();
    expect(await send(`http://localhost:${port}/`, post)).toBe(204);
    expect(await send(`http://localhost:${port}/`, post)).toBe(204);
    expect([requests, connections.length]).toEqual([2, 1]);
    // Closed on the receiver's side; this process learns of it only once the next request is on its way.
    server.closeIdleConnections();
    expect(await send(`http://localhost:${port}/`, post)).toBe(204);
    expect([requests, connections.length]).toEqual([3, 2]);
  });

  it('stops at the time limit: a receiver that never answers, or whose body never ends', async () => {
    const silent = await receiver((req) => req.resume());
    let started = Date.now();
    const err = await sender()(`http://localhost:${silent}/`, { ...post, timeoutMs: 300 }).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err).toMatchObject({
      name: 'WebhookSendError',
      failure: 'timeout',
      cause: { name: 'AbortError', cause: { name: 'TimeoutError', message: 'The operation was aborted due to timeout' } },
    });

    let cutOff = 0;
    const endless = await receiver((req, res) => {
      req.resume();
      res.writeHead(200);
      const drip = setInterval(() => res.write('.'), 20);
      res.on('close', () => {
        clearInterval(drip);
        cutOff = Date.now() - started;
      });
    });
    started = Date.now();
    expect(await sender()(`http://127.0.0.1:${endless}/`, { ...post, timeoutMs: 300 })).toBe(200);
    await expect.poll(() => cutOff, { timeout: 2000 }).toBeGreaterThan(0);
    expect(cutOff).toBeGreaterThanOrEqual(250);
    expect(cutOff).toBeLessThan(1500);
  });

  it('rejects with what failed: a refused connection on every address, a name that does not resolve', async () => {
    const port = await receiver(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(sender()(`http://localhost:${port}/`, post)).rejects.toMatchObject({
      failure: 'connection_failed',
      cause: { code: 'ECONNREFUSED', message: expect.stringMatching(new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`)) },
    });
    const send = sender(hostLookup({ hostsFile: join(dir, 'none'), timeoutMs: 300, tries: 1 }));
    await expect(send('https://nowhere.tessera.invalid/hooks', post)).rejects.toMatchObject({
      failure: 'dns_failed',
      message: expect.stringContaining('nowhere.tessera.invalid'),
    });
  });

  describe('over TLS, to a name resolved by the lookup', () => {
    // Self-signed certificates: one for the receiver's name, one for another name.
    const certificate = (name: string) => {
      const [key, cert] = [join(dir, `${name}.key`), join(dir, `${name}.crt`)];
      const args = `req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=${name}`.split(' ');
      execFileSync('openssl', [...args, '-addext', `subjectAltName=DNS:${name}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return { key: readFileSync(key), cert: readFileSync(cert) };
    };
    const hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, '127.0.0.1 hooks.tessera.test\n');
    const lookup = hostLookup({ hostsFile });

    async function tlsReceiver(tls: { key: Buffer; cert: Buffer }) {
      const names: unknown[] = [];
      const server = createTlsServer(tls, (req, res) => {
        names.push((req.socket as TLSSocket).servername);
        req.resume();
        res.writeHead(204).end();
      });
      return { port: await listen(server), names };
    }
    /** node:https as the sender calls it, with one more trusted certificate. */
    const postTrusting = (url: string, ca: Buffer) =>
      new Promise<number>((resolve, reject) =>
        httpsRequest(url, { method: 'POST', lookup, ca }, (res) => resolve(res.statusCode!))
          .on('error', reject)
          .end(),
      );

    it("checks the receiver's certificate by default", async () => {
      const { port, names } = await tlsReceiver(certificate('hooks.tessera.test'));
      await expect(sender(lookup)(`https://hooks.tessera.test:${port}/`, post)).rejects.toMatchObject({
        failure: 'tls_error',
        // The code, not the message: Node 24 adds a hint about --use-system-ca to the message.
        cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      });
      expect(names).toEqual([]);
    });

    it('sends the host name as SNI and checks the certificate against it, not against the address', async () => {
      const right = certificate('hooks.tessera.test');
      const { port, names } = await tlsReceiver(right);
      expect(await postTrusting(`https://hooks.tessera.test:${port}/`, right.cert)).toBe(204);
      expect(names).toEqual(['hooks.tessera.test']);
      const wrong = certificate('other.tessera.test');
      const other = await tlsReceiver(wrong);
      await expect(postTrusting(`https://hooks.tessera.test:${other.port}/`, wrong.cert)).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });
  });

  describe('as an SSRF tool', () => {
    it('refuses internal targets by default, named or literal, before connecting', async () => {
      let contacted = 0;
      const port = await receiver((req, res) => {
        contacted++;
        req.resume();
        res.writeHead(204).end();
      });
      const strict = webhookSender({ policy: { allowHttp: true, allowPrivate: false } });
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`])
        await expect(strict(url, post), url).rejects.toMatchObject({ failure: 'target_not_allowed' });
      const hostsFile = join(dir, 'hosts-internal');
      writeFileSync(hostsFile, '127.0.0.1 internal.tessera.test\n');
      const named = webhookSender({ lookup: hostLookup({ hostsFile }), policy: { allowHttp: true, allowPrivate: false } });
      await expect(named(`http://internal.tessera.test:${port}/`, post)).rejects.toMatchObject({ failure: 'target_not_allowed' });
      expect(contacted).toBe(0);
    });

    it('requires https unless told otherwise', async () => {
      const port = await receiver((req, res) => res.writeHead(204).end());
      await expect(
        webhookSender({ policy: { allowHttp: false, allowPrivate: true } })(`http://127.0.0.1:${port}/`, post),
      ).rejects.toMatchObject({
        failure: 'target_not_allowed',
      });
    });

    it('refuses a name with any refused address', async () => {
      const both: LookupFunction = (_name, _options, callback) =>
        (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
          { address: '127.0.0.2', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]);
      const send = webhookSender({ lookup: both, policy: { allowHttp: true, allowPrivate: ['127.0.0.2'] } });
      await expect(send('http://mixed.tessera.test:9/', post)).rejects.toMatchObject({ failure: 'target_not_allowed' });
    });

    it('connects to the address it checked: a DNS answer that changes after the check (rebinding) is never asked for', async () => {
      // Two receivers on one port: the allowed one on 127.0.0.2, the internal one on 127.0.0.1.
      const hits: string[] = [];
      const internal = createServer((req, res) => {
        hits.push('internal');
        req.resume();
        res.writeHead(204).end();
      });
      servers.push(internal);
      await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
      const { port } = internal.address() as AddressInfo;
      const allowed = createServer((req, res) => {
        hits.push('allowed');
        req.resume();
        res.writeHead(204).end();
      });
      servers.push(allowed);
      await new Promise<void>((resolve) => allowed.listen(port, '127.0.0.2', resolve));
      // The attacker's DNS: the allowed address once, then the internal one.
      let asked = 0;
      const rebinding: LookupFunction = (_name, options, callback) => {
        const address = asked++ === 0 ? '127.0.0.2' : '127.0.0.1';
        if (options.all) (callback as (err: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
        else callback(null, address, 4);
      };
      const send = webhookSender({ lookup: rebinding, policy: { allowHttp: true, allowPrivate: ['127.0.0.2'] } });
      expect(await send(`http://rebind.tessera.test:${port}/`, post)).toBe(204);
      expect(hits).toEqual(['allowed']);
      expect(asked).toBe(1);
    });
  });
});
