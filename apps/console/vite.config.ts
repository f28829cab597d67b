import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** For `npx vite apps/console`: the API calls go to a running Tessera, so the cookie stays first-party. */
const tessera = process.env.TESSERA_URL ?? 'http://127.0.0.1:8080';

/**
 * The console is built into the server package (apps/server/dist/console-app), which serves it
 * at /console/. Everything is bundled: no CDN, no web fonts, nothing fetched from elsewhere.
 * The page policy allows no inline script or style, and the build makes none: React and uPlot
 * set element styles through the CSSOM, which the policy does not govern.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  // @tessera/api is bundled from its TypeScript source, so the console never needs its build first.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL('../server/dist/console-app', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: { proxy: { '/console/api': tessera, '/v1': tessera } },
  logLevel: 'warn',
});
