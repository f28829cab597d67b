import { TesseraError, type Invalidation } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import { operations } from '../http/route-table.js';
import { Type } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';

const HEARTBEAT_MS = 15_000;
/** Streams one root key may hold open at once (an SDK needs one per process). */
export const MAX_STREAMS_PER_ROOT_KEY = 16;
/** Bytes waiting for a listener beyond the socket's own buffers: more, and it is not reading. */
const MAX_BUFFERED_BYTES = 256 * 1024;

const EVENTS_EXAMPLE =
  'retry: 2000\nevent: ready\ndata: {}\n\nevent: invalidate\ndata: {"kind":"key","id":"key_0Hq3Zk2W7bD4sLmP9xTq1n"}\n\n: ping\n\n';

interface Listener {
  workspaceId: string;
  rootKeyId: string;
  raw: ServerResponse;
}

/**
 * `GET /v1/events`: server-sent events that tell SDK caches when a key changed, so that a
 * revocation reaches them at once. Each message names the key id only (never its hash), and
 * goes only to listeners of the key's own workspace. A root key holds at most
 * {@link MAX_STREAMS_PER_ROOT_KEY} streams, and a listener that stops reading is disconnected
 * rather than buffered for without end (its SDK reconnects and starts with an empty cache).
 */
export function eventRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['keys'] }, (route, app) => {
    const listeners = new Set<Listener>();
    const perRootKey = new Map<string, number>();

    const forget = (l: Listener) => {
      if (!listeners.delete(l)) return;
      const left = (perRootKey.get(l.rootKeyId) ?? 1) - 1;
      if (left === 0) perRootKey.delete(l.rootKeyId);
      else perRootKey.set(l.rootKeyId, left);
    };
    const write = (l: Listener, chunk: string) => {
      if (l.raw.writableLength > MAX_BUFFERED_BYTES) {
        forget(l);
        l.raw.destroy();
        app.log.warn({ rootKeyId: l.rootKeyId }, 'event stream dropped: the listener does not read');
        return;
      }
      l.raw.write(chunk);
    };
    const send = (to: (l: Listener) => boolean, data: string) => {
      for (const l of listeners) if (to(l)) write(l, `event: invalidate\ndata: ${data}\n\n`);
    };
    services.bus.subscribe((message: Invalidation) => {
      if (
        listeners.size === 0 ||
        message.kind === 'root_key' ||
        message.kind === 'oauth_client' ||
        message.kind === 'keyspace' ||
        message.kind === 'keyspace_policy'
      )
        return;
      if (message.kind === 'all') return send(() => true, '{"kind":"all"}');
      void workspaceOfKey(services, message.id).then(
        (workspaceId) =>
          send((l) => workspaceId === undefined || l.workspaceId === workspaceId, JSON.stringify({ kind: 'key', id: message.id })),
        // The store is down: every listener forgets everything rather than miss a revocation.
        () => send(() => true, '{"kind":"all"}'),
      );
    });

    app.addHook('preClose', async () => {
      // The stream never ends by itself: end it, and its connection, so the server can close.
      for (const l of listeners) l.raw.end(() => l.raw.socket?.destroy());
      listeners.clear();
      perRootKey.clear();
    });

    route.get(
      '/v1/events',
      {
        permission: 'keys:verify',
        operationId: 'streamKeyEvents',
        summary: 'Key change events for SDK caches (server-sent events: `ready`, then `invalidate` with {kind, id})',
        description: `Server-sent events (text/event-stream) that tell an SDK's cache when a key of this workspace changed, so a revocation reaches it at once: \`ready\` once, then \`invalidate\` with \`{"kind":"key","id":…}\` (forget that key) or \`{"kind":"all"}\` (forget every key). A comment line every ${HEARTBEAT_MS / 1000} s keeps the connection open. A root key holds at most ${MAX_STREAMS_PER_ROOT_KEY} streams at once (\`RATE_LIMITED\` beyond).`,
        response: {
          200: {
            description: 'The event stream; it ends only when the server or the client closes it.',
            content: { 'text/event-stream': { schema: Type.String({ examples: [EVENTS_EXAMPLE] }) } },
          },
        },
      },
      async (request, reply) => {
        const rootKeyId = request.rootKey!.id;
        const open = perRootKey.get(rootKeyId) ?? 0;
        if (open >= MAX_STREAMS_PER_ROOT_KEY)
          throw new TesseraError('RATE_LIMITED', `This root key holds ${MAX_STREAMS_PER_ROOT_KEY} event streams open already.`);
        perRootKey.set(rootKeyId, open + 1);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-accel-buffering': 'no',
          connection: 'close',
        });
        const listener: Listener = { workspaceId: request.rootKey!.workspaceId, rootKeyId, raw };
        listeners.add(listener);
        raw.write('retry: 2000\nevent: ready\ndata: {}\n\n');
        const heartbeat = setInterval(() => write(listener, ': ping\n\n'), HEARTBEAT_MS).unref();
        request.raw.socket.on('close', () => {
          clearInterval(heartbeat);
          forget(listener);
        });
      },
    );
  });
}

/** The workspace a key belongs to; undefined when the key is gone (every listener hears of it then). */
async function workspaceOfKey(services: Services, keyId: string): Promise<string | undefined> {
  const key = await services.store.getKey(keyId);
  if (key === undefined) return undefined;
  return (await services.store.getKeyspace(key.keyspaceId))?.workspaceId;
}
