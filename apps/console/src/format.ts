/**
 * A time as the console shows it everywhere: in UTC, and saying so, as the server's own sentences
 * (an anomaly's explanation) give times in UTC.
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
}

const UNITS = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
] as const;

/** A length of time in the largest unit it is a whole number of: 3600 → `1 hour`, 90 → `90 seconds`. */
export function duration(seconds: number): string {
  for (const [size, unit] of UNITS)
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}${seconds === size ? '' : 's'}`;
  return `${seconds} seconds`;
}

/** A rate limit's window: 1000 ms → `per second`, 60 000 → `per minute`, 10 000 → `per 10 seconds`. */
export function perWindow(windowMs: number): string {
  const d = duration(windowMs / 1000);
  return d.startsWith('1 ') ? `per ${d.slice(2)}` : `per ${d}`;
}

export function ago(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export interface KeyLike {
  enabled: boolean;
  revokedAt: string | null;
  expiresAt: string | null;
}

export type KeyState = 'active' | 'disabled' | 'revoked' | 'expired';

export function keyState(k: KeyLike): KeyState {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return 'expired';
  return k.enabled ? 'active' : 'disabled';
}
