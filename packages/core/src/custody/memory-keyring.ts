import { randomBytes } from 'node:crypto';
import { MemoryKeyringRepos, type KeyringRepos } from './custody-repos.js';
import { EnvelopeKeyring } from './envelope-keyring.js';
import type { PepperInput } from './hash-domain.js';
import type { KekProvider } from './kek-provider.js';
import { LocalKek } from './local-kek.js';

/**
 * A keyring whose KEK and wrapped keys live in process memory only: for tests and tools. It is
 * the same envelope encryption as the real keyring.
 */
export class MemoryKeyring extends EnvelopeKeyring {
  /** Peppers are labelled unless `input` says `plain` (a keyring as release 0.1.0 made it). */
  constructor(
    peppers: { version: number; key: Buffer; input?: PepperInput }[],
    kek: KekProvider = LocalKek.generate(),
    repos: KeyringRepos = new MemoryKeyringRepos(),
  ) {
    if (peppers.length === 0) throw new Error('keyring has no pepper');
    super(kek, repos, new Map(peppers.map((p) => [p.version, { key: p.key, input: p.input ?? 'labelled' }])), { now: () => Date.now() });
  }

  static generate(): MemoryKeyring {
    return new MemoryKeyring([{ version: 1, key: randomBytes(32) }]);
  }
}
