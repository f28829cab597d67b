import type { Invalidation } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Services } from '../services.js';

const HEARTBEAT_MS = 15_000;

interface Listener {
  workspaceId: string;
  raw: ServerResponse;
}

/**
 * `GET /v1/events`: server-sent events that tell SDK caches when a key changed, so that a
 * revocation reaches them at once. Each message names the key id only (never its hash), and
 * goes only to listeners of the key's own workspace.
 */
export function eventRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    const listeners = new Set<Listener>();

    const send = (to: (l: Listener) => boolean, data: string) => {
      for (const l of listeners) if (to(l)) l.raw.write(`event: invalidate\ndata: ${data}\n\n`);
    };
    services.bus.subscribe((message: Invalidation) => {
      if (listeners.size === 0 || message.kind === 'root_key' || message.kind === 'oauth_client') return;
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
    });

    app.get(
      '/v1/events',
      {
        config: { permission: 'keys:verify' },
        schema: {
          tags: ['keys'],
          summary: 'Key change events for SDK caches (server-sent events: `ready`, then `invalidate` with {kind, id})',
          response: { 200: { description: 'A text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        },
      },
      async (request, reply) => {
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-accel-buffering': 'no',
          connection: 'close',
        });
        const listener: Listener = { workspaceId: request.rootKey!.workspaceId, raw };
        listeners.add(listener);
        raw.write('retry: 2000\nevent: ready\ndata: {}\n\n');
        const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS).unref();
        request.raw.socket.on('close', () => {
          clearInterval(heartbeat);
          listeners.delete(listener);
        });
      },
    );
  };
}

/** The workspace a key belongs to; undefined when the key is gone (every listener hears of it then). */
async function workspaceOfKey(services: Services, keyId: string): Promise<string | undefined> {
  const key = await services.store.getKey(keyId);
  if (key === undefined) return undefined;
  return (await services.store.getKeyspace(key.keyspaceId))?.workspaceId;
}
