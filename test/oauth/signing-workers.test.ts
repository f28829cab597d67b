import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs in a process of its own whose libuv thread pool has one thread (as Tessera's has on two
 * cores), and occupies that thread with a long PBKDF2 first. Prints the order in which work
 * finished. Work that needs the pool can only finish after the PBKDF2; the signing workers' RSA
 * and ML-DSA must finish before it.
 */
const SCRIPT = `
import { createPrivateKey, generateKeyPairSync, pbkdf2, pbkdf2Sync, randomBytes, sign } from 'node:crypto';
import { SigningWorkers } from '@tessera/core';
const workers = new SigningWorkers(1);
await workers.keygen(randomBytes(32)); // start the worker thread before the clock runs
const t0 = performance.now();
pbkdf2Sync('calibrate', 'salt', 20_000, 32, 'sha256');
const perIteration = (performance.now() - t0) / 20_000;
const blockMs = 3000;
const done = [];
pbkdf2('block', 'salt', Math.ceil(blockMs / perIteration), 32, 'sha256', () => done.push('pool-blocker'));
const { privateJwk } = await workers.rsaKeygen();
done.push('rsa-keygen');
const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
const signature = await workers.rsaSign(key, Buffer.from('header.payload'));
done.push(signature.length === 256 ? 'rsa-sign' : 'rsa-sign-wrong-length');
const { secretKey } = await workers.keygen(randomBytes(32));
await workers.sign(secretKey, Buffer.from('header.payload'));
done.push('ml-dsa-sign');
// The contrast: the same RSA signature through node:crypto's asynchronous API waits for the pool.
await new Promise((resolve) => sign('sha256', Buffer.from('x'), key, () => resolve(done.push('pool-rsa-sign'))));
await workers.close();
process.stdout.write(JSON.stringify(done));
`;

describe('signing workers', () => {
  it('sign and make RSA keys, and sign ML-DSA, while the one thread of libuv’s pool is held', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual(['rsa-keygen', 'rsa-sign', 'ml-dsa-sign', 'pool-blocker', 'pool-rsa-sign']);
  }, 60_000);
});
