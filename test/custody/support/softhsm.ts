import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's softhsm2 package puts the PKCS#11 module (`dpkg -L softhsm2`). */
export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) =>
  existsSync(p),
);

export interface SoftHsmToken {
  module: string;
  label: string;
  pin: string;
  /** The configuration file this token lives under; `SOFTHSM2_CONF` must point at it. */
  conf: string;
  remove(): void;
}

/**
 * A SoftHSM2 token in a directory of its own, so tests never touch the machine's tokens.
 * Sets `SOFTHSM2_CONF` for this process (and its children) before any module is loaded.
 */
export function createSoftHsmToken(label = 'tessera-test', pin = '246810'): SoftHsmToken {
  if (SOFTHSM_MODULE === undefined)
    throw new Error('SoftHSM2 is not installed, so the PKCS#11 suites cannot run: npm test installs it (scripts/provision-tests.js)');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '13579'], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'pipe',
  });
  return { module: SOFTHSM_MODULE, label, pin, conf, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
