import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CONSOLE_DIST } from '../../../apps/server/src/routes/console/console-routes.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, in a fresh profile, with the console built: the browser suites'
 * one browser per file. Never a silent skip: without the browser it fails and says why.
 */
export async function launchChromium(
  o: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}, so the browser suite cannot run: npm test installs it (scripts/provision-tests.js)`,
    );
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    execFileSync('npx', ['vite', 'build', 'apps/console'], { cwd: new URL('../../..', import.meta.url).pathname, stdio: 'ignore' });
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: o.width ?? 1280, height: o.height ?? 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
