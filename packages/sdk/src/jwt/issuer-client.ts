import { createRemoteJWKSet } from 'jose';
import type { AccessTokenVerifierOptions } from './access-token-types.js';

export type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * What the verifier asks of the authorization server: its RFC 8414 metadata (fetched once), the
 * signing keys (JWKS, cached by jose), and RFC 7662 introspection when a check wants it.
 */
export class IssuerClient {
  private metadata: Promise<Record<string, unknown>> | undefined;
  private jwks: RemoteKeySet | undefined;

  constructor(
    private readonly issuer: string,
    private readonly o: AccessTokenVerifierOptions,
    private readonly timeoutMs: number,
  ) {}

  async keySet(): Promise<RemoteKeySet> {
    if (this.jwks !== undefined) return this.jwks;
    let uri = this.o.jwksUri;
    if (uri === undefined) {
      const meta = await this.discover();
      if (typeof meta.jwks_uri !== 'string') throw new Error('the metadata names no jwks_uri');
      uri = meta.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(uri), {
      cooldownDuration: this.o.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.o.jwksMaxAgeMs ?? 600_000,
      timeoutDuration: this.timeoutMs,
    });
    return this.jwks;
  }

  /** RFC 7662: whether the server still holds the token active; undefined when it cannot say. */
  async introspect(token: string): Promise<boolean | undefined> {
    const creds = this.o.introspection;
    if (creds === undefined) throw new TypeError('introspect needs the introspection option (client credentials)');
    try {
      const meta = await this.discover();
      const endpoint = typeof meta.introspection_endpoint === 'string' ? meta.introspection_endpoint : `${this.issuer}/oauth/introspect`;
      const basic = btoa(`${encodeURIComponent(creds.clientId)}:${encodeURIComponent(creds.clientSecret)}`);
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) return undefined;
      return ((await res.json()) as { active?: unknown }).active === true;
    } catch {
      return undefined;
    }
  }

  /** RFC 8414 metadata, fetched once; its `issuer` must be the configured one (§3.3). */
  private discover(): Promise<Record<string, unknown>> {
    this.metadata ??= (async () => {
      const res = await fetch(`${this.issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`metadata answered ${res.status}`);
      const meta = (await res.json()) as Record<string, unknown>;
      if (meta.issuer !== this.issuer) throw new Error('the metadata is for another issuer');
      return meta;
    })().catch((err: unknown) => {
      this.metadata = undefined; // try again on the next request
      throw err;
    });
    return this.metadata;
  }
}
