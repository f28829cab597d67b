import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decide, survey } from '../../scripts/provision-tests.js';

const SCRIPT = new URL('../../scripts/provision-tests.js', import.meta.url).pathname;
const ALL = {
  softhsmUtil: true,
  softhsmModule: true,
  chromium: true,
  nginx: true,
  caddy: true,
  pkcs11Binding: true,
  make: true,
  compiler: true,
  python: true,
};

/** Runs the provisioning script with a PATH that has none of the tools, as root or as nobody. */
const runScript = (args: string[], asNobody: boolean) => {
  const nobody = asNobody && process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const [command, ...rest] = [...nobody, process.execPath, SCRIPT, ...args];
  return spawnSync(command!, rest, { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
};

/** `npm test`'s pretest: what it decides to install, and what it tells a user who is not root. */
describe('provisioning the test suites', () => {
  it('does nothing when everything is there', () => {
    expect(decide(ALL, { root: true })).toEqual({ apt: [], buildBinding: false, install: undefined });
  });

  it('installs what is missing as root, with apt-get update first and no prompt', () => {
    const plan = decide({ ...ALL, softhsmModule: false, chromium: false }, { root: true });
    expect(plan.apt).toEqual(['softhsm2', 'chromium']);
    expect(plan.install).toBe('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y softhsm2 chromium');
    expect(plan.fail).toBeUndefined();
    expect(decide({ ...ALL, nginx: false, caddy: false }, { root: true }).apt).toEqual(['nginx', 'caddy']);
  });

  it('adds the toolchain only when the PKCS#11 binding must be built', () => {
    const none = { ...ALL, make: false, compiler: false, python: false };
    expect(decide(none, { root: true }).apt).toEqual([]);
    expect(decide({ ...none, pkcs11Binding: false }, { root: true })).toMatchObject({
      apt: ['make', 'g++', 'python3'],
      buildBinding: true,
    });
  });

  it('fails when not root, with the exact command to run', () => {
    const plan = decide({ ...ALL, softhsmUtil: false }, { root: false });
    expect(plan.fail).toContain("sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y softhsm2'");
  });

  it('sees a tool missing from PATH', () => {
    expect(survey().softhsmUtil).toBe(true); // this machine has been provisioned by npm test
    const path = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      expect(survey().softhsmUtil).toBe(false);
    } finally {
      process.env.PATH = path;
    }
  });

  it('as a script: plans the install (dry run), and as a user who is not root stops with the command', () => {
    const dry = runScript(['--dry-run'], false);
    if (process.getuid?.() === 0) {
      expect(dry.status).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ apt: ['softhsm2'] });
    }
    const user = runScript([], true);
    expect(user.status).toBe(1);
    expect(user.stderr).toContain("Run:\n  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y softhsm2'");
  });
});
