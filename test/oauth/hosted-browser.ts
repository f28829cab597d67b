import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium } from '../console/support/chromium.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

/**
 * What the hosted pages' browser suites share: a real server, an app on loopback for the browser
 * to come back to (its `callback`), and Chromium with one page. `close` ends all three.
 */
export interface HostedBrowser {
  s: OAuthTestServer;
  callback: string;
  page: Page;
  close(): Promise<void>;
}

export async function startHostedBrowser(): Promise<HostedBrowser> {
  const s = await startOAuthServer('sqlite');
  const app = createServer((_q, r) => r.end('<!doctype html><html lang="en"><title>Notes</title><h1>Back in the app</h1></html>'));
  await new Promise<void>((done) => app.listen(0, '127.0.0.1', done));
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(8000);
  return {
    s,
    callback: `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`,
    page,
    async close() {
      await browser.close();
      await new Promise((done) => app.close(done));
      await s.close();
    },
  };
}
