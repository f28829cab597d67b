import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../clock.js';

/** What Tessera reads of an upstream provider's discovery document (OpenID Connect Discovery 1.0 §3). */
export interface UpstreamMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** Where claims asked for by scope may be read with the access token, when the ID token leaves them out (OIDC Core §5.4). */
  userinfoEndpoint: string | undefined;
  /** `client_secret_basic` when the provider takes it (the default of RFC 8414 §2), else `client_secret_post`. */
  tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post';
  /** The asymmetric ID-token algorithms it signs with, of those Tessera verifies. */
  idTokenAlgs: string[];
  /** Whether it sends `iss` with its authorization responses (RFC 9207); then one without `iss` is refused. */
  issParameter: boolean;
}

/** An upstream provider as discovered: its metadata and its key set (fetched, cached and refreshed by jose). */
export interface Discovered {
  metadata: UpstreamMetadata;
  keys: JWTVerifyGetKey;
}

/** The ID-token algorithms Tessera accepts from an upstream: asymmetric ones only (no `none`, no HMAC with the client secret). */
const ACCEPTED_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** How long a discovery document is trusted before it is read again. */
const METADATA_TTL_MS = 3_600_000;
const TIMEOUT_MS = 10_000;

/** Why a provider could not be discovered; the message is shown to the administrator registering it. */
export class DiscoveryError extends Error {}

/**
 * An upstream URL must be HTTPS; plain HTTP is accepted on loopback only (a provider on the same
 * machine, as in development and tests).
 */
export function upstreamUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DiscoveryError(`${what} is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new DiscoveryError(`${what} must be an https URL`);
  if (url.username !== '' || url.password !== '' || url.hash !== '')
    throw new DiscoveryError(`${what} may not carry credentials or a fragment`);
  return url;
}

/**
 * Upstream providers' discovery documents, read at registration and again on first use on each
 * node and hourly after, with their JWKS. The issuer in the document must be exactly the one
 * registered (Discovery §4.3), and every endpoint must pass `upstreamUrl`.
 */
export class UpstreamDiscovery {
  private readonly cache = new Map<string, { discovered: Discovered; at: number }>();

  constructor(private readonly clock: Clock) {}

  async discover(issuer: string, fresh = false): Promise<Discovered> {
    const cached = this.cache.get(issuer);
    if (!fresh && cached !== undefined && this.clock.now() - cached.at < METADATA_TTL_MS) return cached.discovered;
    const metadata = await readMetadata(issuer);
    // The key set keeps its cache across reads of the document while the document names the same one.
    const keys =
      cached?.discovered.metadata.jwksUri === metadata.jwksUri
        ? cached.discovered.keys
        : createRemoteJWKSet(new URL(metadata.jwksUri), { timeoutDuration: TIMEOUT_MS });
    const discovered = { metadata, keys };
    this.cache.set(issuer, { discovered, at: this.clock.now() });
    return discovered;
  }
}

async function readMetadata(issuer: string): Promise<UpstreamMetadata> {
  const url = upstreamUrl(issuer, 'issuer');
  const where = `${url.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: Record<string, unknown>;
  try {
    const res = await fetch(where, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new DiscoveryError(`the issuer's discovery document answered ${res.status}`);
    doc = (await res.json()) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof DiscoveryError) throw err;
    throw new DiscoveryError(`the issuer's discovery document could not be read (${(err as Error).name})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new DiscoveryError('the discovery document is not a JSON object');
  if (doc.issuer !== issuer) throw new DiscoveryError('the discovery document names another issuer');
  const endpoint = (name: string) => {
    const v = doc[name];
    if (typeof v !== 'string') throw new DiscoveryError(`the discovery document has no ${name}`);
    return upstreamUrl(v, name).href;
  };
  const list = (name: string, fallback: string[]) =>
    Array.isArray(doc[name]) ? (doc[name] as unknown[]).filter((x): x is string => typeof x === 'string') : fallback;
  const methods = list('token_endpoint_auth_methods_supported', ['client_secret_basic']);
  const idTokenAlgs = list('id_token_signing_alg_values_supported', ['RS256']).filter((a) => ACCEPTED_ALGS.includes(a));
  if (idTokenAlgs.length === 0) throw new DiscoveryError('the provider signs ID tokens with no algorithm Tessera accepts');
  if (!methods.includes('client_secret_basic') && !methods.includes('client_secret_post'))
    throw new DiscoveryError('the provider takes neither client_secret_basic nor client_secret_post');
  return {
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    jwksUri: endpoint('jwks_uri'),
    userinfoEndpoint: doc.userinfo_endpoint === undefined ? undefined : endpoint('userinfo_endpoint'),
    tokenEndpointAuth: methods.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post',
    idTokenAlgs,
    issParameter: doc.authorization_response_iss_parameter_supported === true,
  };
}
