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

export const ML_DSA_65 = { publicKeyBytes: 1952, signatureBytes: 3309, seedBytes: 32 } as const;

// The worker is given as source so it runs the same from TypeScript sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ ml_dsa65 }) => {
  parentPort.on('message', ({ id, op, a, b, c }) => {
    try {
      let result;
      if (op === 'keygen') { const kp = ml_dsa65.keygen(a); result = [kp.publicKey, kp.secretKey]; }
      else if (op === 'sign') result = ml_dsa65.sign(b, a);
      else if (op === 'verify') result = c.length === ${ML_DSA_65.signatureBytes} && a.length === ${ML_DSA_65.publicKeyBytes} && ml_dsa65.verify(c, b, a);
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

/** A small pool of worker threads doing ML-DSA-65; started on first use, threads do not keep the process alive. */
export class MlDsaWorkerPool implements MlDsa {
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

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private run(op: string, a: Uint8Array, b?: Uint8Array, c?: Uint8Array): Promise<unknown> {
    if (this.workers.length === 0) this.start();
    const slot = this.workers.reduce((x, y) => (y.busy < x.busy ? y : x));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (v) => {
          slot.busy--;
          resolve(v);
        },
        reject: (e) => {
          slot.busy--;
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
        if (m.error !== undefined) p?.reject(new Error(`ML-DSA: ${m.error}`));
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
