#!/usr/bin/env node
// What `npm test` needs beyond `npm ci`, provisioned by the test command itself (`pretest`), so
// the README's command passes on a fresh machine and no suite skips for want of a tool:
// - SoftHSM2 (the PKCS#11 keyring suites): `softhsm2-util` and its module;
// - Chromium (the console's browser suite) at /usr/bin/chromium;
// - NGINX and Caddy (the gateway suite runs both in front of an API, test/gateway/);
// - the PKCS#11 binding pkcs11js, a native addon `npm ci` does not build (package.json denies its
//   install script: only an HSM user needs it), built here (scripts/build-pkcs11.js).
// Missing system packages are installed with apt-get when running as root; otherwise the run
// fails with the exact command to run. `--dry-run` prints the decision and changes nothing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPkcs11Binding, pkcs11BindingBuilt } from './build-pkcs11.js';

/** Where Debian's softhsm2 package puts the PKCS#11 module (`dpkg -L libsofthsm2`). */
export const SOFTHSM_MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'];
export const CHROMIUM = '/usr/bin/chromium';
/** Where Debian's nginx and caddy packages put their commands (test/gateway/support/gateways.ts looks there). */
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'];
export const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'];

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Whether a command is on PATH. */
export const onPath = (command, path = process.env.PATH ?? '') =>
  path.split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)));

/** What this machine has; `probe` answers for one check (tests pass their own). */
export function survey(probe = {}) {
  const has = {
    softhsmUtil: () => onPath('softhsm2-util'),
    softhsmModule: () => SOFTHSM_MODULES.some((p) => existsSync(p)),
    chromium: () => executable(CHROMIUM),
    nginx: () => NGINX.some(executable),
    caddy: () => CADDY.some(executable),
    pkcs11Binding: pkcs11BindingBuilt,
    make: () => onPath('make'),
    compiler: () => onPath('g++'),
    python: () => onPath('python3'),
    ...probe,
  };
  return Object.fromEntries(Object.entries(has).map(([k, f]) => [k, f()]));
}

/**
 * From what the machine has to what to do: the Debian packages to install, whether to build the
 * PKCS#11 binding, and — when not root — the command the operator must run instead.
 */
export function decide(has, { root }) {
  const apt = [];
  if (!has.softhsmUtil || !has.softhsmModule) apt.push('softhsm2');
  if (!has.chromium) apt.push('chromium');
  if (!has.nginx) apt.push('nginx');
  if (!has.caddy) apt.push('caddy');
  const buildBinding = !has.pkcs11Binding;
  if (buildBinding) {
    if (!has.make) apt.push('make');
    if (!has.compiler) apt.push('g++');
    if (!has.python) apt.push('python3');
  }
  const install = apt.length === 0 ? undefined : `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${apt.join(' ')}`;
  if (install !== undefined && !root) {
    return {
      apt,
      buildBinding,
      fail:
        `the test suites need system packages this machine lacks (${apt.join(', ')}), and this is not root. Run:\n` +
        `  sudo sh -c '${install}'\nthen npm test again.`,
    };
  }
  return { apt, buildBinding, install };
}

function run(command, args, options = {}) {
  console.log(`provision: ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function main(argv) {
  const dryRun = argv.includes('--dry-run');
  const root = process.getuid?.() === 0;
  const plan = decide(survey(), { root });
  if (dryRun) {
    console.log(JSON.stringify(plan));
    return plan.fail === undefined ? 0 : 1;
  }
  if (plan.fail !== undefined) {
    console.error(`\n*** npm test cannot run every suite: ${plan.fail}\n`);
    return 1;
  }
  if (plan.apt.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', ...plan.apt], { env });
  }
  if (plan.buildBinding && buildPkcs11Binding() !== 0) {
    console.error('\n*** npm test: the PKCS#11 binding (pkcs11js) did not build\n');
    return 1;
  }
  const after = survey();
  const missing = Object.entries(after)
    .filter(([k, ok]) => !ok && !(['make', 'compiler', 'python'].includes(k) && after.pkcs11Binding))
    .map(([k]) => k);
  if (missing.length > 0) {
    console.error(`\n*** npm test: still missing after provisioning: ${missing.join(', ')}\n`);
    return 1;
  }
  if (plan.apt.length > 0 || plan.buildBinding)
    console.log('provision: SoftHSM2, Chromium, NGINX, Caddy and the PKCS#11 binding are ready');
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
