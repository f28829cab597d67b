// The reference for the token-endpoint benchmark: node-oidc-provider (panva's) in its own process,
// configured as close to Tessera's defaults as it allows: one confidential client
// (client_secret_basic) allowed client_credentials, and JWT access tokens signed with EdDSA
// (Ed25519) for one resource server, the audience, through resource indicators (RFC 8707). Its
// JWT access tokens are not stored (only opaque ones are); the client is a static one, in memory.
//   node bench/oidc-provider-server.js   with the settings as JSON on stdin:
//   {"clientId", "clientSecret", "scopes": ["read", "write"], "audience", "accessTokenTtl"}
// Prints {"port": N, "issuer", "tokenEndpoint"} on stdout once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { text } from 'node:stream/consumers';

// oidc-provider 9 says Node 20 is not supported (it is tested on 22+); it loads and works on 20.
const { default: Provider } = await import('oidc-provider');

const settings = JSON.parse(await text(process.stdin));
const { clientId, clientSecret, scopes, audience, accessTokenTtl = 300 } = settings;

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

// One Ed25519 signing key, made for this run.
const jwk = { ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), alg: 'EdDSA', use: 'sig', kid: 'bench-ed25519' };

const resourceServer = {
  scope: scopes.join(' '),
  audience,
  accessTokenTTL: accessTokenTtl,
  accessTokenFormat: 'jwt',
  jwt: { sign: { alg: 'EdDSA' } },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: scopes.join(' '),
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [jwk] },
  scopes,
  clientDefaults: { id_token_signed_response_alg: 'EdDSA', grant_types: ['client_credentials'], response_types: [] },
  enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: { ClientCredentials: accessTokenTtl },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // No `resource` in the request (the same form body is sent to Tessera): the one resource server.
      defaultResource: () => audience,
      getResourceServerInfo: (_ctx, resourceIndicator) => {
        if (resourceIndicator !== audience) throw new provider.constructor.errors.InvalidTarget();
        return resourceServer;
      },
      useGrantedResource: () => true,
    },
  },
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider server_error: ${err.stack}\n`));

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
process.stdout.write(JSON.stringify({ port, issuer, tokenEndpoint: discovery.token_endpoint }) + '\n');
