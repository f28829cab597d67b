import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from their TypeScript sources (the `source` export
// condition), so they never run a stale build. `ssr` is the environment Node tests run in.
const conditions = ['source'];

// Files that measure time or CPU (timing oracles, calibrated workers, latency under load, kill -9
// cycles, thread-pool starvation, a stream flooded until the server gives up on its listener) run
// one at a time after the rest, so another test file's work never lands inside their measurements. Everything else runs two files at a time: most of a test
// file's time is spent waiting on servers, databases and child processes, not on a core.
const alone = [
  'test/security/timing.test.ts',
  'test/console/console-sign-in-oracle.test.ts',
  'test/console/password-hasher.test.ts',
  'test/oauth/signing-workers.test.ts',
  'test/monitoring/blocked-pool.test.ts',
  'test/scale/**/*.test.ts',
  'test/ops/backup-restore.test.ts',
  'test/cli/cli.test.ts',
  'test/api/event-streams.test.ts',
];

// Files that drive Chromium: what they check is the console and the hosted pages in a browser.
// TESSERA_TEST_BROWSER=skip leaves them out; CI runs them on the machine's Node line only, and
// every other file on every line (.ci/run).
const browser = [
  'test/console/console-{accessibility,analytics,e2e,rotation,rough-edges,sso-browser,workspaces-e2e}.test.ts',
  'test/oauth/{account-browser,federation-browser,federation-pages,hosted-pages-browser,oauth-cors,passkeys-browser}.test.ts',
  'test/portal/portal-browser.test.ts',
];
const skipped = process.env.TESSERA_TEST_BROWSER === 'skip' ? browser : [];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // Once per run: the migrated PostgreSQL template each test file's database is copied from.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker keeps its modules from one file to the next instead of loading the server's whole
    // module graph again for each (seconds of CPU per file). Test files leave no state behind
    // them; one that checks what a process has loaded uses a child. Set here, for every project:
    // the pool reads it from the root (a project's own `isolate` is not applied to forks).
    isolate: false,
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'together',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...alone, ...skipped],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: alone,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
