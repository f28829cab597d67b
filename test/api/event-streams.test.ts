import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * `GET /v1/events` holds a connection open per listener. Without limits, one root key with
 * `keys:verify` opens streams until the server runs out of sockets, and a listener that stops
 * reading makes the server buffer every event for it, without end.
 */
describe('GET /v1/events under abuse', () => {
  let s: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    for (const c of sockets) c.destroy();
    await s.close();
  });

  /** A stream opened over a raw socket; resolves with the status line once the head arrived. */
  function open(rootKey: string): Promise<{ socket: Socket; status: number }> {
    const { port } = new URL(s.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      sockets.push(socket);
      let head = '';
      const onData = (d: Buffer) => {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        socket.pause();
        resolve({ socket, status: Number(head.split(' ')[1]) });
      };
      socket.on('data', onData).on('error', reject);
      socket.write(`GET /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${rootKey}\r\n\r\n`);
    });
  }

  it('caps the streams one root key holds open; other keys are not affected', async () => {
    const other = (await s.api('POST', '/v1/root-keys', { name: 'other', permissions: ['keys:verify'] })).body.key;
    const statuses: number[] = [];
    for (let i = 0; i < 17; i++) statuses.push((await open(s.rootKey)).status);
    expect(statuses.slice(0, 16)).toEqual(Array(16).fill(200));
    expect(statuses[16]).toBe(429);
    expect((await open(other)).status).toBe(200);
    // A closed stream frees its place.
    sockets[0]!.destroy();
    await expect.poll(async () => (await open(s.rootKey)).status, { timeout: 5000 }).toBe(200);
    for (const c of sockets.splice(0)) c.destroy();
  });

  it('drops a listener that does not read, instead of buffering for it without end', async () => {
    const { socket } = await open(s.rootKey);
    let closed = false;
    socket.on('close', () => (closed = true));
    // Far more than the socket buffers of both ends hold on loopback (tens of MB with autotuning),
    // in batches with a turn of the event loop between them, so the server's writes can flush.
    const started = Date.now();
    const dropped = () => s.logs.some((l) => l.includes('the listener does not read'));
    for (let batch = 0; batch < 400 && !dropped() && Date.now() - started < 60_000; batch++) {
      for (let i = 0; i < 5000; i++) void s.services.bus.publish({ kind: 'all' });
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(dropped()).toBe(true);
    // Reading now, the listener gets what was sent before the drop, then the end.
    socket.resume();
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(true);
  }, 120_000);
});
