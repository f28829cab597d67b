import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStream } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyslogSink } from '../../apps/server/src/adapters/audit-sink/syslog-sink.js';
import { parseSyslogTarget } from '../../apps/server/src/audit/syslog-target.js';
import { selfSignedCertificate } from '../support/certificates.js';
import { buildOnce, freePort, startServe } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** RFC 5424: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG. */
const SYSLOG_LINE = /^<109>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S{1,255}) tessera (\d+) (\S{1,32}) - (\{.*\})$/;

interface Received {
  action: string;
  entry: { seq: number; action: string; hash: string; target: string | null; ts: string };
}

function parse(line: string): Received {
  const m = SYSLOG_LINE.exec(line);
  if (m === null) throw new Error(`not an RFC 5424 line: ${line.slice(0, 200)}`);
  const entry = JSON.parse(m[5]!) as Received['entry'];
  expect(m[1]).toBe(entry.ts);
  return { action: m[4]!, entry };
}

/** A syslog collector on loopback that reads octet-counted frames (RFC 6587 §3.4.1). */
class TcpCollector {
  readonly lines: string[] = [];
  readonly raw: Buffer[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly tls?: { cert: Buffer; key: Buffer }) {}

  async listen(port = 0): Promise<number> {
    const accept = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let pending = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        this.raw.push(chunk);
        pending = Buffer.concat([pending, chunk]);
        for (;;) {
          const space = pending.indexOf(0x20);
          if (space < 0) break;
          const length = Number(pending.subarray(0, space).toString('ascii'));
          expect(Number.isInteger(length) && length > 0).toBe(true);
          if (pending.length < space + 1 + length) break;
          this.lines.push(pending.subarray(space + 1, space + 1 + length).toString('ascii'));
          pending = pending.subarray(space + 1 + length);
        }
      });
    };
    this.server = this.tls === undefined ? createServer(accept) : createTlsServer(this.tls, accept);
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server!.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  seqs(): number[] {
    return this.lines.map((l) => parse(l).entry.seq);
  }
}

const contiguous = (seqs: number[]) => seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1);

describe('the audit log streamed to syslog', () => {
  it('refuses a setting it cannot use, naming the setting', () => {
    expect(() => parseSyslogTarget('logs.internal:514')).toThrow(/TESSERA_AUDIT_SYSLOG must be a URL/);
    expect(() => parseSyslogTarget('http://logs.internal')).toThrow(/udp:\/\/, tcp:\/\/ or tls:\/\//);
    expect(() => parseSyslogTarget('tcp://logs.internal:514/path')).toThrow(/a host and a port only/);
    expect(parseSyslogTarget('tls://[::1]')).toEqual({ transport: 'tls', host: '::1', port: 6514 });
  });

  describe('from tessera serve, over TCP', () => {
    const collector = new TcpCollector();
    let dir: string;
    let server: Awaited<ReturnType<typeof startServe>>;
    let url: string;
    let rootKey: string;
    let collectorPort: number;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, any>;
    };

    beforeAll(async () => {
      buildOnce();
      const port = (collectorPort = await collector.listen());
      dir = mkdtempSync(join(tmpdir(), 'tessera-syslog-'));
      const httpPort = await freePort();
      url = `http://127.0.0.1:${httpPort}`;
      server = await startServe(['--data-dir', dir, '--port', String(httpPort)], url, { TESSERA_AUDIT_SYSLOG: `tcp://127.0.0.1:${port}` });
      rootKey = readFileSync(join(dir, 'initial-root-key'), 'utf8').trim();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sends each new entry once, in order, as RFC 5424 with the action as MSGID, and never a key', async () => {
      const ks = await api('POST', '/v1/keyspaces', { name: 'syslog', prefix: 'sl' });
      const key = await api('POST', '/v1/keys', { keyspaceId: ks.id });
      await api('POST', `/v1/keys/${key.keyId}/revoke`, { reason: 'streamed' });
      await expect.poll(() => collector.lines.map((l) => parse(l).action), { timeout: 20_000 }).toContain('key.revoked');
      const received = collector.lines.map(parse);
      const actions = received.map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['keyspace.created', 'key.created', 'key.revoked']));
      expect(contiguous(collector.seqs())).toBe(true);
      // The copy is the log: the same entries, hash for hash.
      const audit = await api('GET', `/v1/audit?limit=100`);
      const bySeq = new Map((audit.items as { seq: number; hash: string }[]).map((e) => [e.seq, e.hash]));
      for (const r of received) if (bySeq.has(r.entry.seq)) expect(r.entry.hash).toBe(bySeq.get(r.entry.seq));
      const revoked = received.find((r) => r.action === 'key.revoked')!;
      expect(revoked.entry.target).toBe(key.keyId);
      const bytes = Buffer.concat(collector.raw).toString('latin1');
      expect(bytes).not.toContain(key.key);
      expect(bytes).not.toContain(rootKey);
    });

    it('keeps what is written while the collector is down, and sends it when it is back, skipping nothing', async () => {
      const before = collector.seqs().at(-1)!;
      await collector.close();
      const ks = await api('POST', '/v1/keyspaces', { name: 'while-down', prefix: 'wd' });
      for (let i = 0; i < 3; i++) await api('POST', '/v1/keys', { keyspaceId: ks.id });
      await new Promise((r) => setTimeout(r, 2500)); // at least two polls fail meanwhile
      expect(server.output()).toMatch(/audit stream \(syslog over tcp to 127\.0\.0\.1:\d+\) failed; it is retried/);
      await collector.listen(collectorPort);
      await expect.poll(() => collector.seqs().filter((s) => s > before).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
      const seqs = collector.seqs();
      expect(contiguous(seqs)).toBe(true);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(server.output()).not.toMatch(/were not streamed/);
    });
  });

  it('anchors at the head when it starts, so what is written before its first poll is sent', async () => {
    const collector = new TcpCollector();
    const port = await collector.listen();
    const s = await startTestServer('sqlite');
    const stream = new AuditStream(s.services.monitoring.store, new SyslogSink(parseSyslogTarget(`tcp://127.0.0.1:${port}`)), {
      intervalMs: 600_000,
    });
    try {
      await stream.start();
      await s.api('POST', '/v1/keyspaces', { name: 'first', prefix: 'fi' });
      expect(await stream.poll()).toBe(1);
      await expect.poll(() => collector.lines.map((l) => parse(l).action), { timeout: 5000 }).toEqual(['keyspace.created']);
    } finally {
      await stream.stop();
      await s.close();
      await collector.close();
    }
  });

  it('over TLS, checks the collector against the CA it is given, and refuses an unknown one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-syslog-tls-'));
    const { cert, key } = selfSignedCertificate(dir);
    const collector = new TcpCollector({ cert: readFileSync(cert), key: readFileSync(key) });
    const port = await collector.listen();
    const s = await startTestServer('sqlite');
    try {
      const target = parseSyslogTarget(`tls://localhost:${port}`);
      const untrusted = new AuditStream(s.services.monitoring.store, new SyslogSink(target));
      await untrusted.poll(); // starts at the head
      await s.api('POST', '/v1/keyspaces', { name: 'tls', prefix: 'tl' });
      await expect(untrusted.poll()).rejects.toThrow(/self-signed|certificate/i);
      await untrusted.stop();
      const trusted = new AuditStream(s.services.monitoring.store, new SyslogSink(target, { caFile: cert }));
      expect(await trusted.poll()).toBe(1); // the page the refused send handed back
      await expect.poll(() => collector.lines.length, { timeout: 5000 }).toBe(1);
      expect(parse(collector.lines[0]!).action).toBe('keyspace.created');
      await trusted.stop();
    } finally {
      await s.close();
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('from two nodes of one database, over UDP', () => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      a = await startTestServer('postgres');
      b = await startTestServer('postgres', { join: a });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('sends each entry exactly once, whichever node polls', async () => {
      const udp = createSocket('udp4');
      const lines: string[] = [];
      udp.on('message', (m) => lines.push(m.toString('ascii')));
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const target = `udp://127.0.0.1:${udp.address().port}`;
      const streams = [a, b].map((s) => new AuditStream(s.services.monitoring.store, new SyslogSink(parseSyslogTarget(target))));
      await streams[0]!.poll(); // the first poll starts the stream at the head
      const ks = (await a.api('POST', '/v1/keyspaces', { name: 'two', prefix: 'tw' })).body.id;
      for (let i = 0; i < 20; i++) await (i % 2 === 0 ? a : b).api('POST', '/v1/keys', { keyspaceId: ks });
      // Both nodes poll at once, then once more: every page is claimed by one of them.
      const sent = [...(await Promise.all(streams.map((s) => s.poll()))), ...(await Promise.all(streams.map((s) => s.poll())))];
      expect(sent.reduce((x, y) => x + y, 0)).toBe(21);
      await expect.poll(() => lines.length, { timeout: 5000 }).toBe(21);
      const seqs = lines.map((l) => parse(l).entry.seq).sort((x, y) => x - y);
      expect(contiguous(seqs)).toBe(true);
      expect(new Set(seqs).size).toBe(21);
      for (const s of streams) await s.stop();
      udp.close();
    });
  });
});
