import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../packages/core/src/console/password-hasher.js';
import { buildOnce } from '../support/cli.js';

const PASSWORD = 'correct horse battery staple';
/** The parameters every stored console password hash carries (@node-rs/argon2's defaults). */
const PARAMETERS = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

describe('console passwords, hashed on a worker thread', () => {
  const passwords = new PasswordHasher();
  afterAll(() => passwords.close());

  it('makes argon2id hashes that verify, and refuses a wrong password', async () => {
    const phc = await passwords.hash(PASSWORD);
    expect(phc).toMatch(PARAMETERS);
    expect(await passwords.verify(phc, PASSWORD)).toBe(true);
    expect(await passwords.verify(phc, `${PASSWORD}!`)).toBe(false);
    expect(await passwords.hash(PASSWORD)).not.toBe(phc); // a fresh salt each time
  });

  it('verifies hashes made before (the async @node-rs/argon2 hash), and they verify its own', async () => {
    const before = await argon2Hash(PASSWORD);
    expect(await passwords.verify(before, PASSWORD)).toBe(true);
    expect(await passwords.verify(before, 'another password')).toBe(false);
    const after = await passwords.hash(PASSWORD);
    expect(await argon2Verify(after, PASSWORD)).toBe(true);
    expect(await argon2Verify(after, 'another password')).toBe(false);
  });

  it('rejects a malformed hash with the error @node-rs/argon2 throws', async () => {
    const old = await argon2Verify('not a hash', PASSWORD).catch((e: unknown) => e as Error & { code?: string });
    expect(old).toBeInstanceOf(Error);
    await expect(passwords.verify('not a hash', PASSWORD)).rejects.toMatchObject({ message: old.message, code: old.code });
    expect(await passwords.verify(await passwords.hash(PASSWORD), PASSWORD)).toBe(true); // the worker goes on
  });

  it('verifies the decoy of an unknown email without an answer', async () => {
    await expect(passwords.verifyDecoy(PASSWORD)).resolves.toBeUndefined();
  });

  it('rejects the calls a stopped worker had, and the next call starts another', async () => {
    const hasher = new PasswordHasher();
    try {
      const pending = [hasher.hash(PASSWORD), hasher.verify(await argon2Hash(PASSWORD), PASSWORD), hasher.verifyDecoy(PASSWORD)];
      await hasher.close();
      await Promise.all(pending.map((p) => expect(p).rejects.toThrow(/password hashing worker stopped/)));
      const phc = await hasher.hash(PASSWORD);
      expect(await hasher.verify(phc, PASSWORD)).toBe(true);
      await expect(hasher.verifyDecoy(PASSWORD)).resolves.toBeUndefined();
    } finally {
      await hasher.close();
    }
  });
});

/**
 * Runs a child process with a single libuv pool thread, held by a PBKDF2 derivation of about 1.5 s
 * started first; then a password is hashed and verified by `via`. Returns what finished, in order.
 */
async function withBusyPool(via: 'worker thread' | 'async @node-rs/argon2'): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const argon2 = pathToFileURL(require.resolve('@node-rs/argon2')).href;
  const hasher = new URL('../../packages/core/dist/console/password-hasher.js', import.meta.url).href;
  // Modules load first: loading one may itself use the pool.
  const source = `
    import { pbkdf2, pbkdf2Sync } from 'node:crypto';
    import { hash, verify } from ${JSON.stringify(argon2)};
    import { PasswordHasher } from ${JSON.stringify(hasher)};
    const started = performance.now();
    pbkdf2Sync('p', 's', 20000, 32, 'sha512');
    const iterations = Math.ceil((1500 / (performance.now() - started)) * 20000);
    const events = [];
    const busy = new Promise((resolve) => pbkdf2('p', 's', iterations, 32, 'sha512', () => resolve(events.push('pool free'))));
    const passwords = ${JSON.stringify(via)} === 'worker thread' ? new PasswordHasher() : { hash, verify };
    const phc = await passwords.hash(${JSON.stringify(PASSWORD)});
    events.push('hashed');
    events.push((await passwords.verify(phc, ${JSON.stringify(PASSWORD)})) ? 'verified' : 'refused');
    await busy;
    console.log(JSON.stringify(events));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as string[];
}

describe("console passwords and libuv's thread pool (one thread, held by a long task)", () => {
  beforeAll(() => buildOnce());

  it('hashes and verifies on the worker thread before the pool is free', async () => {
    expect(await withBusyPool('worker thread')).toEqual(['hashed', 'verified', 'pool free']);
  });

  it('waits for the pool with the async @node-rs/argon2 functions (what the worker thread avoids)', async () => {
    expect(await withBusyPool('async @node-rs/argon2')).toEqual(['pool free', 'hashed', 'verified']);
  });
});
