import { expect } from 'vitest';
import { BrowserJar, type Page } from '../oauth/browser-jar.js';
import type { TestServer } from '../support/server.js';

/** A clock that runs with the system's, and that a test can move ahead (a link's expiry, a session's end). */
export class ShiftedClock {
  offset = 0;
  now = () => Date.now() + this.offset;
}

const unescape = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

/** A key owner in the portal, driven over plain HTTP with a cookie jar. */
export class PortalOwner {
  readonly jar = new BrowserJar();
  constructor(private readonly s: TestServer) {}

  /** Opens a portal link: the answer is the redirect to the portal, with its cookie set. */
  async open(url: string): Promise<Page> {
    return this.jar.get(url);
  }

  async page(): Promise<Page> {
    return this.jar.get(`${this.s.url}/portal`);
  }

  /** The CSRF token of the portal's forms, read from the page. */
  async csrf(): Promise<string> {
    const page = await this.page();
    expect(page.status).toBe(200);
    return unescape(/name="csrf" value="([^"]+)"/.exec(page.html)![1]!);
  }

  async create(fields: { name: string; lifetime?: string; scope?: string }, csrf?: string): Promise<Page> {
    return this.jar.post(`${this.s.url}/portal/keys`, {
      csrf: csrf ?? (await this.csrf()),
      lifetime: String(7 * 86_400),
      ...fields,
    });
  }

  async roll(keyId: string, csrf?: string): Promise<Page> {
    return this.jar.post(`${this.s.url}/portal/keys/${keyId}/roll`, { csrf: csrf ?? (await this.csrf()) });
  }

  async revoke(keyId: string, csrf?: string): Promise<Page> {
    return this.jar.post(`${this.s.url}/portal/keys/${keyId}/revoke`, { csrf: csrf ?? (await this.csrf()) });
  }
}

/** The key a portal page shows once. */
export function shownKey(page: Page): string {
  const m = /id="new-key" readonly value="([^"]+)"/.exec(page.html);
  if (m === null) throw new Error(`no key shown (${page.status}): ${page.html.slice(0, 400)}`);
  return unescape(m[1]!);
}

/** The alert a refused form shows. */
export function alertOf(page: Page): string | undefined {
  const m = /<p class="error" role="alert">([^<]*)<\/p>/.exec(page.html);
  return m === null ? undefined : unescape(m[1]!);
}

/** A portal session for `ownerId` from the API, and the owner who followed its link. */
export async function enterPortal(
  s: TestServer,
  ownerId: string,
  keyspaceId: string,
  returnUrl = 'https://app.example.com/settings',
): Promise<PortalOwner> {
  const r = await s.api('POST', '/v1/portal/sessions', { ownerId, keyspaceId, returnUrl });
  expect(r.status).toBe(201);
  const owner = new PortalOwner(s);
  const opened = await owner.open(r.body.url);
  expect(opened.status).toBe(303);
  expect(opened.location).toBe('/portal');
  return owner;
}
