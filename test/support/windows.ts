/**
 * Rate limits count in fixed windows that start at multiples of their length (every node agrees
 * on them without coordination). A test that fills a window and expects the next call refused
 * must not straddle two: this waits, when the current window ends within `needMs`, for the next.
 */
export async function inOneWindow(windowMs: number, needMs = 3_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 100));
}
