import { LocalInvalidationBus, MemoryRateLimiter, type FleetExchange, type InvalidationBus, type RateLimiter } from '@tessera/core';
import { Redis } from 'ioredis';
import type { BusEvents } from '../adapters/invalidation-bus/remote.js';
import { openPgInvalidationBus } from '../adapters/invalidation-bus/postgres-notify.js';
import { openRedisInvalidationBus } from '../adapters/invalidation-bus/redis.js';
import { RedisFleetExchange } from '../adapters/fleet/redis-fleet-exchange.js';
import { RedisRateLimiter } from '../adapters/rate-limiter/redis.js';
import type { RemoteInvalidationBus } from '../adapters/invalidation-bus/remote.js';

export interface SharedStateConfig {
  redisUrl?: string | undefined;
  redisPrefix: string;
  redisFailMode: 'local' | 'deny';
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** What one node shares with the others, and how it is doing. Read by `/metrics`. */
export interface SharedState {
  readonly kind: 'redis' | 'postgres' | 'local';
  readonly bus: InvalidationBus;
  readonly rateLimiter: RateLimiter;
  /** The fleet-wide detection counters, merged across nodes (Redis only; else each node counts its own). */
  readonly fleet?: FleetExchange;
  /** Rate-limit decisions taken locally because Redis did not answer. */
  readonly fallbacks: number;
  /** Times the bus subscription came back after a gap (each dropped the caches). */
  readonly resyncs: number;
  readonly publishFailures: number;
  /** Changes that some live peer did not acknowledge within the bus's wait. */
  readonly ackTimeouts: number;
  /** Whether the shared state answers now. */
  readonly up: boolean;
  /** Where warnings go; the server points it at its logger once it has one. */
  log: Log;
  close(): Promise<void>;
}

const WARN_EVERY_MS = 10_000;

type BusCounters = 'resyncs' | 'publishFailures' | 'ackTimeouts';

/** Adds a remote bus's counters to a node's shared state, read from the bus when asked (it may open after the state). */
function withBusCounters(bus: () => RemoteInvalidationBus, state: Omit<SharedState, BusCounters>): SharedState {
  return Object.defineProperties(state, {
    resyncs: { get: () => bus().resyncs, enumerable: true },
    publishFailures: { get: () => bus().publishFailures, enumerable: true },
    ackTimeouts: { get: () => bus().ackTimeouts, enumerable: true },
  }) as SharedState;
}

/**
 * Picks the shared state of a node: Redis for the bus and the rate limits when it is configured;
 * else PostgreSQL LISTEN/NOTIFY for the bus (rate limits then stay per node); else one process.
 */
export async function openSharedState(
  config: SharedStateConfig,
  log: Log = { warn() {}, info() {} },
  timings: Pick<BusEvents, 'onPublished' | 'onPeerAck'> = {},
  /** Called with each Redis connection that sends commands (tracing wraps them). */
  instrument: (client: Redis) => void = () => {},
): Promise<SharedState> {
  let state: SharedState;
  let warnedAt = 0;
  const warn = (obj: object, msg: string) => {
    const now = Date.now();
    if (now - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now;
    state.log.warn(obj, msg);
  };
  const events: BusEvents = {
    ...timings,
    onResync: () => state.log.info({}, 'invalidation bus reconnected: the key caches were dropped and reload from the store'),
    onPublishError: (err: unknown) => warn({ err: String(err) }, 'invalidation not sent yet; it is kept and sent when the bus is back'),
    onAckTimeout: (peers: string[]) =>
      warn({ peers }, 'some nodes did not confirm a cache invalidation in time; they drop the record when the message reaches them'),
  };

  if (config.redisUrl !== undefined) {
    const options = {
      connectionName: 'tessera',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      keepAlive: 10_000,
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
    };
    const commands = new Redis(config.redisUrl, options);
    // The bus publishes on a connection of its own: an invalidation (or an acknowledgement) never
    // queues behind the rate-limit commands of the verify traffic.
    const publisher = new Redis(config.redisUrl, options);
    const subscriber = new Redis(config.redisUrl, { ...options, commandTimeout: undefined, enableOfflineQueue: true });
    for (const c of [commands, publisher, subscriber]) c.on('error', () => {}); // reported through the fallbacks
    instrument(commands);
    instrument(publisher);
    const rateLimiter = new RedisRateLimiter(commands, {
      prefix: config.redisPrefix,
      failMode: config.redisFailMode,
      onFallback: (err) =>
        warn(
          { err: String(err), mode: config.redisFailMode },
          'Redis unreachable: rate limits and credits are applied on this node only until it returns',
        ),
    });
    const bus = await openRedisInvalidationBus(publisher, subscriber, `${config.redisPrefix}invalidate`, events);
    state = withBusCounters(() => bus, {
      kind: 'redis',
      bus,
      rateLimiter,
      // On the rate-limit connection: one pipeline a second, off the verify path.
      fleet: new RedisFleetExchange(commands, config.redisPrefix),
      get fallbacks() {
        return rateLimiter.fallbacks;
      },
      get up() {
        return commands.status === 'ready' && publisher.status === 'ready' && subscriber.status === 'ready';
      },
      log,
      async close() {
        await bus.close();
        await Promise.all([commands, publisher, subscriber].map((c) => c.quit().catch(() => c.disconnect())));
      },
    });
    return state;
  }

  if (config.databaseUrl !== undefined) {
    const channel = `tessera_invalidate_${config.databaseSchema ?? 'public'}`.slice(0, 63);
    // eslint-disable-next-line prefer-const -- assigned after the state object that its callbacks close over
    let bus: RemoteInvalidationBus;
    state = withBusCounters(() => bus, {
      kind: 'postgres',
      get bus() {
        return bus;
      },
      rateLimiter: new MemoryRateLimiter(),
      fallbacks: 0,
      get up() {
        return bus.pending === 0;
      },
      log,
      async close() {
        await bus.close();
      },
    });
    bus = await openPgInvalidationBus(config.databaseUrl, channel, events);
    return state;
  }

  state = {
    kind: 'local',
    bus: new LocalInvalidationBus(),
    rateLimiter: new MemoryRateLimiter(),
    fallbacks: 0,
    resyncs: 0,
    publishFailures: 0,
    ackTimeouts: 0,
    up: true,
    log,
    async close() {},
  };
  return state;
}
