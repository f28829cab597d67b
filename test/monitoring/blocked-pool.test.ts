import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../scale/support/process-node.js';

const CHILD = fileURLToPath(new URL('./blocked-pool-child.mjs', import.meta.url));

/**
 * The server may run libuv's thread pool with one thread, which signs access tokens. Webhook
 * deliveries must not need it: a slow DNS server would hold it for seconds in getaddrinfo().
 * A child process with that one thread busy (a PBKDF2 hash) shows what finishes meanwhile.
 */
describe('webhooks with one pool thread, and that thread busy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pool-'));
  beforeAll(() => buildServer(), 120_000); // the child runs the built packages (Node 20 cannot run TypeScript)
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves names and delivers before the thread is free; dns.lookup and fetch wait for it', async () => {
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 hooks.tessera.test\n');
    const child = spawn(process.execPath, [CHILD, join(dir, 'hosts'), join(dir, 'tessera.db')], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(0);
    const finished = JSON.parse(stdout) as Record<string, { ms: number; result?: unknown; error?: string }>;

    const free = finished.pbkdf2!.ms;
    expect(free).toBeGreaterThan(500);
    for (const name of ['hostLookup: hosts file', 'hostLookup: localhost', 'hostLookup: DNS', 'delivery'])
      expect(finished[name]!.ms, `${name} in ${JSON.stringify(finished)}`).toBeLessThan(free);
    expect(finished['hostLookup: hosts file']!.result).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(finished['hostLookup: localhost']!.result).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    // Answered by DNS over c-ares: no such name, or no DNS server to ask; either way, at once.
    expect(finished['hostLookup: DNS']!.error).toMatch(/^(ENOTFOUND|ETIMEOUT|ECONNREFUSED)$/);
    expect(finished.delivery!.result).toEqual({ status: 'succeeded', responseStatus: 204, lastError: null });

    // The contrast: getaddrinfo() waits for the thread, and so did delivering with fetch.
    expect(finished['dns.lookup']!.ms).toBeGreaterThanOrEqual(free);
    expect(finished.fetch!.ms).toBeGreaterThanOrEqual(free);
    expect(finished.fetch!.result).toBe(204);
  });
});
