import type { Tessera } from '../client/tessera.js';
import {
  Guard,
  type Decision,
  type GuardOptions,
  type RequestView,
  type RequireAccessTokenOptions,
  type RequireApiKeyOptions,
} from './guard.js';

/** A request checked by the guard: what to answer, or the caller to let through. */
export type Check = (request: RequestView) => Promise<Decision>;

/** What `tessera()` returns in each framework: middleware of the framework's handler type `H`, and the client. */
export interface TesseraMiddleware<H> {
  requireApiKey(options?: RequireApiKeyOptions): H;
  requireAccessToken(options: RequireAccessTokenOptions): H;
  client: Tessera;
}

/**
 * The framework-neutral half of `tessera()` for Fastify, Express and Hono: the options are checked
 * at once, each middleware's own options when it is made, and `handler` turns the check into the
 * framework's handler, which is named `requireApiKey` or `requireAccessToken` (stack traces, logs).
 */
export function middlewareFactory<H extends object>(options: GuardOptions, handler: (check: Check) => H): TesseraMiddleware<H> {
  const guard = new Guard(options);
  return {
    client: guard.client,
    requireApiKey: (o) => named(handler(guard.apiKeyChecker(o)), 'requireApiKey'),
    requireAccessToken: (o) => named(handler(guard.tokenChecker(o)), 'requireAccessToken'),
  };
}

const named = <H extends object>(fn: H, name: string): H => Object.defineProperty(fn, 'name', { value: name });
