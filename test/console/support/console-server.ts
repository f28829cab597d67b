import type { Clock } from '@tessera/core';
import type { Dialect } from '../../support/databases.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../../support/server.js';
import { base32Decode, totp } from '../../../packages/core/src/totp/totp.js';

/** A clock that follows real time, plus whatever the test has skipped ahead. */
export class SkippingClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  skip(ms: number): void {
    this.offset += ms;
  }
}

export interface ConsoleServer extends TestServer {
  clock: SkippingClock;
  /** Creates a console user as `tessera users create` does. */
  createUser(email: string, password: string, role?: 'owner' | 'admin' | 'viewer'): Promise<void>;
}

export async function startConsoleServer(opts: { dialect?: Dialect; env?: NodeJS.ProcessEnv } = {}): Promise<ConsoleServer> {
  const clock = new SkippingClock();
  const server = await startTestServer(opts.dialect ?? 'sqlite', { clock, env: { ...LOOPBACK_WEBHOOKS, ...opts.env } });
  return Object.assign(server, {
    clock,
    async createUser(email: string, password: string, role: 'owner' | 'admin' | 'viewer' = 'owner') {
      await server.services.console.users.create({ id: 'system', workspaceId: 'ws_default', ip: null }, { email, password, role });
    },
  });
}

/** A new console user with TOTP enrolled, signed in: its client (a full session) and TOTP secret. */
export async function enrolledUser(server: ConsoleServer, email: string, password: string): Promise<{ c: CookieClient; secret: string }> {
  await server.createUser(email, password);
  const c = new CookieClient(server.url);
  await c.call('POST', '/console/api/login', { email, password });
  const enrol = await c.call('POST', '/console/api/enrolment');
  const confirmed = await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) });
  if (confirmed.status !== 200) throw new Error(`enrolment of ${email} failed: ${confirmed.status}`);
  return { c, secret: enrol.body.secret };
}

/** The current code for a base32 secret, at the server's time; `stepOffset` moves a step. */
export function codeFor(secret: string, clock: Clock, stepOffset = 0): string {
  return totp(base32Decode(secret), clock.now() + stepOffset * 30_000);
}

/** A fetch client that keeps the session cookie, as a browser would. */
export class CookieClient {
  cookie: string | undefined;
  csrf: string | undefined;
  /** `extra` headers go with every request (X-Forwarded-Proto, X-Forwarded-For behind a trusted proxy). */
  constructor(
    private readonly base: string,
    private readonly extra: Record<string, string> = {},
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean } = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = { ...this.extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== undefined) headers.cookie = this.cookie;
    if ((opts.csrf ?? true) && this.csrf !== undefined) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const set = res.headers.get('set-cookie');
    if (set !== null) {
      const pair = set.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    const parsed = text === '' ? undefined : JSON.parse(text);
    if (parsed?.csrfToken !== undefined) this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed, headers: res.headers };
  }
}
