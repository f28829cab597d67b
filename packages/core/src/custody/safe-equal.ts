import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare against itself on a length mismatch so the time spent does not depend on it.
  return timingSafeEqual(ab, ab.length === bb.length ? bb : ab) && ab.length === bb.length;
}
