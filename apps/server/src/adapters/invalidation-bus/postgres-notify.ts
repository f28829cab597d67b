import pg from 'pg';
import { DEFAULT_BUS_TIMING, RemoteInvalidationBus, type BusEvents, type BusTiming, type BusTransport } from './remote.js';

/**
 * The invalidation bus over PostgreSQL LISTEN/NOTIFY, for several nodes without Redis. One
 * dedicated connection listens (and sends); when it is lost the node reconnects with backoff,
 * listens again, and then drops its caches, since notifications sent meanwhile are gone.
 *
 * `channel` should name the deployment (e.g. include the schema), so instances sharing one
 * database stay apart.
 */
export async function openPgInvalidationBus(
  connectionString: string,
  channel: string,
  events: BusEvents = {},
  waitMs = 3000,
  timing: BusTiming = DEFAULT_BUS_TIMING,
): Promise<RemoteInvalidationBus> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel: ${channel}`);
  const transport = new PgNotifyTransport(connectionString, channel);
  const bus = new RemoteInvalidationBus(transport, events, timing);
  transport.bus = bus;
  await Promise.race([transport.connect(), new Promise((r) => setTimeout(r, waitMs).unref())]);
  return bus;
}

class PgNotifyTransport implements BusTransport {
  bus!: RemoteInvalidationBus;
  connected = false;
  /** NOTIFY refuses a payload of 8000 bytes or more. */
  readonly maxPayloadBytes = 7900;
  private client: pg.Client | undefined;
  private closed = false;
  private attempts = 0;
  private retry: NodeJS.Timeout | undefined;
  private listenedOnce = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
  ) {}

  async send(payload: string): Promise<void> {
    if (this.client === undefined || !this.connected) throw new Error('the PostgreSQL listener is not connected');
    await this.client.query('select pg_notify($1, $2)', [this.channel, payload]);
  }

  async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, connectionTimeoutMillis: 5000 });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.connected = false;
      this.client = undefined;
      client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.bus.receive(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch {
      lost();
      return;
    }
    if (this.client !== client) return;
    this.connected = true;
    this.attempts = 0;
    this.bus.subscribed(this.listenedOnce);
    this.listenedOnce = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => {});
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry !== undefined) return;
    const delay = Math.min(100 * 2 ** this.attempts++, 2000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, delay);
    this.retry.unref();
  }
}
