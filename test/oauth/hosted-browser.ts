import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium } from '../console/support/chromium.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

/**
 * What the hosted pages' browser suites share: a real server, an app on loopback for the browser
 * to come back to (its `callback`), and Chromium with one page. `close` ends all three.
 */
/** A port free now, for a server that must know its own address before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

export interface HostedBrowser {
  s: OAuthTestServer;
  /** Where the browser reaches the server: its issuer's origin. */
  origin: string;
  callback: string;
  page: Page;
  close(): Promise<void>;
}

/**
 * `localhost`: the server's issuer is `http://localhost:<port>` rather than its IP address, for
 * WebAuthn, whose relying party must be a host name (`localhost` is a secure context over HTTP).
 */
export async function startHostedBrowser(o: { localhost?: boolean } = {}): Promise<HostedBrowser> {
  const port = o.localhost ? await freePort() : undefined;
  const s = await startOAuthServer('sqlite', port === undefined ? undefined : { TESSERA_ISSUER: `http://localhost:${port}` }, port);
  const app = createServer((_q, r) => r.end('<!doctype html><html lang="en"><title>Notes</title><h1>Back in the app</h1></html>'));
  await new Promise<void>((done) => app.listen(0, '127.0.0.1', done));
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(8000);
  return {
    s,
    origin: port === undefined ? s.url : `http://localhost:${port}`,
    callback: `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`,
    page,
    async close() {
      await browser.close();
      await new Promise((done) => app.close(done));
      await s.close();
    },
  };
}
