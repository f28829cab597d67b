import type { Redis } from 'ioredis';
import { DEFAULT_BUS_TIMING, RemoteInvalidationBus, type BusEvents, type BusTiming } from './remote.js';

/**
 * The invalidation bus over Redis pub/sub: one connection publishes, another subscribes
 * (a subscribed Redis connection can do nothing else). Every time the subscriber is subscribed
 * again after losing its connection, the node's caches are dropped.
 */
export async function openRedisInvalidationBus(
  pub: Redis,
  sub: Redis,
  channel: string,
  events: BusEvents = {},
  waitMs = 3000,
  timing: BusTiming = DEFAULT_BUS_TIMING,
): Promise<RemoteInvalidationBus> {
  const bus = new RemoteInvalidationBus(
    {
      send: async (payload) => {
        await pub.publish(channel, payload);
      },
      get connected() {
        return pub.status === 'ready';
      },
    },
    events,
    timing,
  );
  sub.on('message', (ch: string, payload: string) => {
    if (ch === channel) bus.receive(payload);
  });
  pub.on('ready', () => void bus.flushOutbox());
  let subscribedOnce = false;
  const subscribed = new Promise<void>((resolve) => {
    const onReady = () => {
      sub.subscribe(channel).then(
        () => {
          // Subscribed only now: whatever was published during the gap is lost, so forget everything.
          bus.subscribed(subscribedOnce);
          subscribedOnce = true;
          resolve();
        },
        () => {},
      );
    };
    sub.on('ready', onReady);
    if (sub.status === 'ready') onReady();
  });
  // A node starts even when Redis does not answer yet; it resyncs when Redis comes.
  await Promise.race([subscribed, new Promise((r) => setTimeout(r, waitMs).unref())]);
  return bus;
}
