/**
 * A browser without a browser: plain HTTP with a cookie jar, no redirects followed, and the hosted
 * pages' forms read from their HTML and posted back as a browser would.
 */
export class BrowserJar {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Submits the page's form (its first, or the one posting to `action`) with these fields besides its hidden ones. */
  async submit(page: Page, base: string, fields: Record<string, string>, action?: string): Promise<Page> {
    const form = page.form(action);
    return this.post(new URL(form.action, base).toString(), { ...form.hidden, ...fields });
  }

  private async request(url: string, init: RequestInit): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), ...(cookie && { cookie }) } });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    return new Page(res.status, res.headers, await res.text(), setCookies);
  }
}

const unescape = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

export class Page {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly html: string,
    readonly setCookies: string[],
  ) {}

  get location(): string | null {
    return this.headers.get('location');
  }

  /** The page's first POST form, or the one posting to `action`: its action and hidden fields. */
  form(action?: string): { action: string; hidden: Record<string, string> } {
    const forms = [...this.html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
    const form = action === undefined ? forms[0] : forms.find((f) => unescape(f[1]!) === action);
    if (form === undefined) throw new Error(`no form in the page (${this.status}): ${this.html.slice(0, 300)}`);
    const hidden: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]!] = unescape(m[2]!);
    return { action: unescape(form[1]!), hidden };
  }

  /** Whether a visible label, or a button, reads `text`. */
  has(kind: 'label' | 'button', text: string): boolean {
    return new RegExp(`<${kind}[^>]*>${text}</${kind}>`).test(this.html);
  }
}
