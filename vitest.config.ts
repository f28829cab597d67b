import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from their TypeScript sources (the `source` export
// condition), so they never run a stale build. `ssr` is the environment Node tests run in.
const conditions = ['source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
