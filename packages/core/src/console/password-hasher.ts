import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TesseraError } from '../errors.js';

// The worker is given as source so it runs the same from TypeScript sources and from dist, and as
// CommonJS or as a module (it inherits --input-type). It loads with require, which reads files
// synchronously: an ESM import would wait for the thread pool this worker is here to stay off. No
// options are passed: @node-rs/argon2's defaults (argon2id, v=19, m=19456, t=2, p=1) are what every
// stored console password hash was made with, so old and new hashes verify either way.
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { hashSync, verifySync } = process.getBuiltinModule('node:module').createRequire(workerData.module)(workerData.module);
parentPort.on('message', ({ id, op, password, phc }) => {
  try {
    const result = op === 'hash' ? hashSync(password) : verifySync(phc, password);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String((err && err.message) || err), code: err && err.code } });
  }
});
`;

const DECOY_PASSWORD = 'tessera decoy password, never used';
/** Hashes waiting at most: at ~50 ms each, about 3 s of work. A flood beyond it is refused at once. */
export const MAX_PENDING_HASHES = 64;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Running {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * argon2id for console passwords, on a worker thread of its own. The async functions of
 * @node-rs/argon2 run on libuv's thread pool, which also signs access tokens and may have a single
 * thread: a flood of sign-ins would hold token signing. One thread, started on first use; it keeps
 * the process alive only while a call waits for it. A worker that dies rejects what it was given
 * and the next call starts another.
 */
export class PasswordHasher {
  private running: Running | undefined;
  private decoy: Promise<string> | undefined;
  private nextId = 1;

  constructor(private readonly maxPending = MAX_PENDING_HASHES) {}

  /** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
  async hash(password: string): Promise<string> {
    return (await this.run({ op: 'hash', password })) as string;
  }

  async verify(phc: string, password: string): Promise<boolean> {
    return (await this.run({ op: 'verify', phc, password })) === true;
  }

  /** What verifying costs when there is no account: a real hash of a password nobody has, so timing says nothing. */
  async verifyDecoy(password: string): Promise<void> {
    await this.verify(await this.decoyHash(), password);
  }

  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.worker.terminate();
  }

  private decoyHash(): Promise<string> {
    if (this.decoy === undefined) {
      const made = this.hash(DECOY_PASSWORD);
      // A worker that dies before making it takes it along; the next unknown email makes another.
      made.catch(() => {
        if (this.decoy === made) this.decoy = undefined;
      });
      this.decoy = made;
    }
    return this.decoy;
  }

  private run(message: { op: 'hash' | 'verify'; password: string; phc?: string }): Promise<unknown> {
    if (this.running === undefined) {
      this.running = this.start();
      // The decoy is the first job of the first worker, so the first sign-in waits for it whether its
      // email is known or not.
      void this.decoyHash();
    }
    const { worker, pending } = this.running;
    // A bounded queue: under a flood of sign-ins the excess gets 429 now rather than a place in a line
    // that only grows (and holds every caller's connection meanwhile).
    if (pending.size >= this.maxPending)
      return Promise.reject(new TesseraError('RATE_LIMITED', 'Too many sign-ins at once; try again in a moment.'));
    const id = this.nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
  }

  private start(): Running {
    const module = createRequire(import.meta.url).resolve('@node-rs/argon2');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
    worker.unref();
    const running: Running = { worker, pending: new Map() };
    worker.on('message', (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
      const p = running.pending.get(m.id);
      running.pending.delete(m.id);
      if (running.pending.size === 0) worker.unref();
      if (m.error === undefined) p?.resolve(m.result);
      else p?.reject(Object.assign(new Error(m.error.message), m.error.code === undefined ? {} : { code: m.error.code }));
    });
    const stopped = (err: Error) => {
      if (this.running === running) this.running = undefined;
      for (const p of running.pending.values()) p.reject(err);
      running.pending.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the password hashing worker stopped (exit code ${code})`)));
    return running;
  }
}
