/** One rate limit of a verification: its name, its limit, what remains, and when it resets (ms since the epoch). */
export interface RateLimitState {
  name: string;
  limit: number;
  remaining: number;
  reset: number;
}

const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * draft-ietf-httpapi-ratelimit-headers (-08 onwards): `RateLimit-Policy` names each limit, `RateLimit` what
 * remains and when it resets; with the seconds to wait (`Retry-After`) when a limit is spent.
 * The server's forward authentication and the SDK's guard answer with the same headers.
 */
export function rateLimitHeaders(limits: readonly RateLimitState[], now: number): { headers: Record<string, string>; retryAfter?: number } {
  if (limits.length === 0) return { headers: {} };
  const items = limits.map((l) => ({ ...l, t: Math.max(0, Math.ceil((l.reset - now) / 1000)) }));
  const exhausted = items.filter((l) => l.remaining <= 0);
  return {
    headers: {
      'ratelimit-policy': items.map((l) => `${quoted(l.name)};q=${l.limit}`).join(', '),
      ratelimit: items.map((l) => `${quoted(l.name)};r=${Math.max(0, l.remaining)};t=${l.t}`).join(', '),
    },
    ...(exhausted.length > 0 && { retryAfter: Math.max(1, ...exhausted.map((l) => l.t)) }),
  };
}
