import { DiscoveryError, type Discovered, type UpstreamDiscovery } from './upstream-discovery.js';

/** An upstream's answer refused: the status and the words of the page shown. */
export type UpstreamRefusal = { ok: false; status: 400 | 403 | 502; page: string };

/**
 * The upstream provider's answer at the callback, checked before its code is redeemed: not an
 * error, from the provider the sign-in went to (RFC 9207 §2.4: a mix-up otherwise), with a code.
 * A refusal is audited through `fail` where it names the provider's doing; `back` ends its page.
 */
export async function checkUpstreamAnswer(
  answer: ReadonlyMap<string, string>,
  upstream: { issuer: string; name: string; errorReason: (error: string) => string },
  discovery: UpstreamDiscovery,
  fail: (reason: string) => Promise<unknown>,
  back: string,
): Promise<{ ok: true; discovered: Discovered; code: string } | UpstreamRefusal> {
  const refused = (status: 400 | 403 | 502, page: string) => ({ ok: false, status, page }) as const;
  if (answer.has('error')) {
    await fail(upstream.errorReason((answer.get('error') ?? '').slice(0, 40)));
    return refused(403, `${upstream.name} did not sign you in. ${back}`);
  }
  let discovered;
  try {
    discovered = await discovery.discover(upstream.issuer);
  } catch (err) {
    if (err instanceof DiscoveryError) return refused(502, `${upstream.name} cannot be reached now. Try again in a moment.`);
    throw err;
  }
  const iss = answer.get('iss');
  if (iss !== undefined ? iss !== discovered.metadata.issuer : discovered.metadata.issParameter) {
    await fail('iss_mismatch');
    return refused(400, `This answer did not come from the provider you signed in with. ${back}`);
  }
  const code = answer.get('code');
  if (code === undefined || code === '') return refused(400, `The answer of the provider is not complete. ${back}`);
  return { ok: true, discovered, code };
}
