import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * ML-DSA-65 (FIPS 204) for JOSE, per RFC 9964: `alg` "ML-DSA-65", keys of type "AKP" with the
 * public key in `pub`. jose does not implement it, so @noble/post-quantum does the arithmetic.
 * Pure JavaScript ML-DSA costs milliseconds per signature (tens on a busy core), which would stall
 * every other request, so the operations run on worker threads.
 */
export interface MlDsa {
  /** The key pair for a 32-byte seed (the seed is what Tessera keeps, encrypted). */
  keygen(seed: Uint8Array): Promise<{ publicKey: Buffer; secretKey: Buffer }>;
  sign(secretKey: Uint8Array, message: Uint8Array): Promise<Buffer>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * RSA, which costs ~0.25 ms per signature and up to a second per 2048-bit key pair: kept off
 * libuv's thread pool, which signs the fast algorithms and is as small as the cores allow.
 */
export interface RsaSigning {
  /** RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `data`. */
  rsaSign(key: KeyObject, data: Uint8Array): Promise<Buffer>;
  /** A fresh 2048-bit key pair, as JWKs. */
  rsaKeygen(): Promise<{ publicJwk: Record<string, unknown>; privateJwk: Record<string, unknown> }>;
}

export const ML_DSA_65 = { publicKeyBytes: 1952, signatureBytes: 3309, seedBytes: 32 } as const;

// The worker is given as source so it runs the same from TypeScript sources and from dist. Only
// dynamic imports: the source is CommonJS or an ES module depending on the process's flags.
const WORKER_SOURCE = `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const crypto = await import('node:crypto');
  const { ml_dsa65 } = await import(workerData.module);
  parentPort.on('message', ({ id, op, a, b, c }) => {
    try {
      let result;
      if (op === 'keygen') { const kp = ml_dsa65.keygen(a); result = [kp.publicKey, kp.secretKey]; }
      else if (op === 'sign') result = ml_dsa65.sign(b, a);
      else if (op === 'verify') result = c.length === ${ML_DSA_65.signatureBytes} && a.length === ${ML_DSA_65.publicKeyBytes} && ml_dsa65.verify(c, b, a);
      else if (op === 'rsa-sign') result = crypto.sign('sha256', b, a);
      else if (op === 'rsa-keygen') {
        const kp = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
        result = [kp.publicKey.export({ format: 'jwk' }), kp.privateKey.export({ format: 'jwk' })];
      }
      parentPort.postMessage({ id, result });
    } catch (err) {
      parentPort.postMessage({ id, error: String(err && err.message || err) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A small pool of worker threads for the slow signature work: ML-DSA-65 and RSA. Started on first
 * use; a thread keeps the process alive only while it has work.
 */
export class SigningWorkers implements MlDsa, RsaSigning {
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly size = 2) {}

  async keygen(seed: Uint8Array) {
    const [publicKey, secretKey] = (await this.run('keygen', seed)) as [Uint8Array, Uint8Array];
    return { publicKey: Buffer.from(publicKey), secretKey: Buffer.from(secretKey) };
  }

  async sign(secretKey: Uint8Array, message: Uint8Array): Promise<Buffer> {
    return Buffer.from((await this.run('sign', secretKey, message)) as Uint8Array);
  }

  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return (await this.run('verify', publicKey, message, signature)) === true;
  }

  async rsaSign(key: KeyObject, data: Uint8Array): Promise<Buffer> {
    return Buffer.from((await this.run('rsa-sign', key, data)) as Uint8Array);
  }

  async rsaKeygen() {
    const [publicJwk, privateJwk] = (await this.run('rsa-keygen')) as [Record<string, unknown>, Record<string, unknown>];
    return { publicJwk, privateJwk };
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private run(op: string, a?: Uint8Array | KeyObject, b?: Uint8Array, c?: Uint8Array): Promise<unknown> {
    if (this.workers.length === 0) this.start();
    const slot = this.workers.reduce((x, y) => (y.busy < x.busy ? y : x));
    const id = this.nextId++;
    // A worker keeps the process alive only while it has work: a command that awaits a signature exits after it.
    if (slot.busy++ === 0) slot.worker.ref();
    const done = () => {
      if (--slot.busy === 0) slot.worker.unref();
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      slot.worker.postMessage({ id, op, a, b, c });
    });
  }

  private start(): void {
    const module = pathToFileURL(createRequire(import.meta.url).resolve('@noble/post-quantum/ml-dsa.js')).href;
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
      worker.unref();
      worker.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
        if (m.id === undefined) return;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(`signing worker: ${m.error}`));
        else p?.resolve(m.result);
      });
      worker.on('error', (err) => {
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(err);
        }
      });
      this.workers.push({ worker, busy: 0 });
    }
  }
}
