import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an account at the upstream says about its person. */
export interface UpstreamAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Released with the `groups` scope, when the upstream was started with `groups`. */
  groups?: string[];
}

export interface Upstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The upstream's accounts by login (their `sub`): any password signs in (node-oidc-provider's development pages). */
  accounts: Map<string, UpstreamAccount>;
  close(): Promise<void>;
}

/**
 * node-oidc-provider on loopback as a real upstream OpenID Provider: one confidential client
 * (client_secret_basic) whose only redirect URI is Tessera's federation callback; PKCE required;
 * ID tokens signed with RS256; claims asked for by scope answered at UserInfo, not in the ID token
 * (its default, and OIDC Core §5.4's).
 */
export async function startUpstream(callback: string | (() => string), o: { groups?: boolean } = {}): Promise<Upstream> {
  // oidc-provider 9 says Node 20 is not supported (it is tested on 22+); it loads and works on 20.
  const { default: Provider } = await import('oidc-provider');
  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'tessera';
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, UpstreamAccount>();
  const jwk = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    alg: 'RS256',
    use: 'sig',
    kid: 'up-1',
  };
  // The provider is made at the first request, so its redirect URI may be of a server started after it.
  const make = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [typeof callback === 'string' ? callback : callback()],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [jwk as never] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], ...(o.groups && { groups: ['groups'] }) },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...accounts.get(id) }) }),
      features: { devInteractions: { enabled: true } },
    } as never);
  let handle: ReturnType<InstanceType<typeof Provider>['callback']> | undefined;
  server.on('request', (req, res) => {
    if (handle === undefined) {
      const provider = make();
      provider.on('server_error', (_ctx: unknown, err: Error) => process.stderr.write(`oidc-provider server_error: ${err.stack}\n`));
      handle = provider.callback();
    }
    void handle(req, res);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
