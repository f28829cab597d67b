import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is built into the server package (apps/server/dist/console-app), which serves it
 * at /console/. Everything is bundled: no CDN, no web fonts, nothing fetched from elsewhere.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../server/dist/console-app', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  logLevel: 'warn',
});
