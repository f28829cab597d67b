import type { JWTPayload } from 'jose';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { DiscoveryError, type Discovered, type UpstreamDiscovery } from './upstream-discovery.js';
import { redeemUpstreamCode, type UpstreamExchange } from './upstream-id-token.js';
import { upstreamSecrets, type UpstreamHashDomains } from './upstream-redirect.js';

/** An upstream's answer refused: the status and the words of the page shown. */
export type UpstreamRefusal = { ok: false; status: 400 | 403 | 502; page: string };

/** What the callback redeems an answer's code as: the client, and the claims the sign-in needs. */
export interface UpstreamClient extends Pick<UpstreamExchange, 'redirectUri' | 'clientId' | 'needs'> {
  /** Read only once the answer is checked. */
  clientSecret: () => string | Promise<string>;
}

/**
 * The upstream provider's answer at the callback, checked (`checkUpstreamAnswer`), then its code
 * redeemed with the PKCE verifier and nonce of the sign-in's `state` (hashed under `domains`):
 * the ID token's claims. A refusal is audited through `fail` where it names the provider's doing;
 * `back` ends its page.
 */
export async function redeemUpstreamAnswer(
  answer: ReadonlyMap<string, string>,
  upstream: { issuer: string; name: string; errorReason: (error: string) => string },
  deps: { discovery: UpstreamDiscovery; keyring: Keyring; clock: Clock },
  sent: { domains: UpstreamHashDomains; state: string },
  client: UpstreamClient,
  fail: (reason: string) => Promise<unknown>,
  back: string,
): Promise<{ ok: true; claims: JWTPayload & { sub: string } } | UpstreamRefusal> {
  const checked = await checkUpstreamAnswer(answer, upstream, deps.discovery, fail, back);
  if (!checked.ok) return checked;
  const secrets = upstreamSecrets(deps.keyring, sent.domains, sent.state);
  const token = await redeemUpstreamCode(
    checked.discovered,
    {
      code: checked.code,
      redirectUri: client.redirectUri,
      codeVerifier: secrets.verifier,
      clientId: client.clientId,
      clientSecret: await client.clientSecret(),
      nonce: secrets.nonce,
      needs: client.needs,
    },
    deps.clock,
  );
  if (!token.ok) {
    await fail(token.reason);
    return { ok: false, status: 502, page: `The sign-in at ${upstream.name} could not be checked. ${back}` };
  }
  return token;
}

/**
 * The upstream provider's answer at the callback, checked before its code is redeemed: not an
 * error, from the provider the sign-in went to (RFC 9207 §2.4: a mix-up otherwise), with a code.
 */
async function checkUpstreamAnswer(
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
  const found = await discoverUpstream(discovery, upstream);
  if (!found.ok) return refused(502, found.page);
  const { discovered } = found;
  const iss = answer.get('iss');
  if (iss !== undefined ? iss !== discovered.metadata.issuer : discovered.metadata.issParameter) {
    await fail('iss_mismatch');
    return refused(400, `This answer did not come from the provider you signed in with. ${back}`);
  }
  const code = answer.get('code');
  if (code === undefined || code === '') return refused(400, `The answer of the provider is not complete. ${back}`);
  return { ok: true, discovered, code };
}

/** The upstream provider's metadata, or the page that says it cannot be reached now. */
export async function discoverUpstream(
  discovery: UpstreamDiscovery,
  upstream: { issuer: string; name: string },
): Promise<{ ok: true; discovered: Discovered } | { ok: false; page: string }> {
  try {
    return { ok: true, discovered: await discovery.discover(upstream.issuer) };
  } catch (err) {
    if (err instanceof DiscoveryError) return { ok: false, page: `${upstream.name} cannot be reached now. Try again in a moment.` };
    throw err;
  }
}
