import { pino } from 'pino';
import { every } from '@tessera/core';

/** How long a log line may wait for others before it is written. */
const LOG_FLUSH_MS = 100;

/**
 * The server's log on stdout. Lines are written from libuv's thread pool, not by a blocking write
 * per line on the event loop, and in batches: once 4 KiB are waiting or every 100 ms, whichever
 * comes first (a write per line cost the token endpoint ~8% of its throughput in pool handoffs).
 * pino writes what is pending when the process exits. Should stdout stall, lines beyond 16 MiB
 * waiting are dropped rather than held in memory without end.
 *
 * A write to a stalled pipe must not block: it would hold a thread of the pool that also signs
 * access tokens (one thread on two cores). Node's own stdout stream puts a pipe in non-blocking
 * mode when it is first touched, so the write fails with EAGAIN and is tried again a little later.
 */
export function batchedStdout(): { stream: pino.DestinationStream; stop(): Promise<void> } {
  void process.stdout; // creates Node's stdout stream, which makes a pipe non-blocking
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096, maxLength: 16 * 1024 * 1024 });
  const flush = () => {
    try {
      stream.flush();
    } catch {
      // stdout closed: nothing more can be written, and pino's own error handling reports it
    }
  };
  const flusher = every(LOG_FLUSH_MS, flush);
  return {
    stream,
    async stop() {
      await flusher.stop();
      flush();
    },
  };
}
