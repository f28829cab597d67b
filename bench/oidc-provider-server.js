// The reference for the token-endpoint benchmarks: node-oidc-provider (panva's) in its own process,
// configured as close to Tessera's defaults as it allows: one confidential client
// (client_secret_basic) and JWT access tokens signed with EdDSA (Ed25519) for one resource server,
// the audience, through resource indicators (RFC 8707). Its JWT access tokens are not stored (only
// opaque ones are); the client is a static one, in memory.
//   node bench/oidc-provider-server.js   with the settings as JSON on stdin:
//   {"clientId", "clientSecret", "scopes": ["read", "write"], "audience", "accessTokenTtl"}
// The client is allowed client_credentials (bench/oauth.js), or, with "codeFlow": {"redirectUri",
// "accountId", "sqliteFile"?} in the settings, the authorization code grant with PKCE S256 instead
// (bench/code-exchange.js): scope `openid`, ID tokens signed EdDSA with `auth_time` and `amr`, no
// refresh token; codes, sessions and grants kept in memory, or in SQLite with `sqliteFile`
// (bench/oidc-provider-sqlite.js). Its interactions are finished here, without pages: the login
// prompt signs `accountId` in (amr `pwd`), the consent prompt grants what was asked. Once a browser
// has been through them, its session cookie and the remembered grant send each authorization
// request straight back with a code.
// Prints {"port": N, "issuer", "tokenEndpoint", "authorizationEndpoint"} on stdout once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { text } from 'node:stream/consumers';
import { sqliteAdapter } from './oidc-provider-sqlite.js';

// oidc-provider 9 says Node 20 is not supported (it is tested on 22+); it loads and works on 20.
const { default: Provider } = await import('oidc-provider');

const settings = JSON.parse(await text(process.stdin));
const { clientId, clientSecret, scopes, audience, accessTokenTtl = 300, codeFlow } = settings;

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

const grantTypes = codeFlow === undefined ? ['client_credentials'] : ['authorization_code'];
const responseTypes = codeFlow === undefined ? [] : ['code'];
const codeFlowConfig =
  codeFlow === undefined
    ? {}
    : {
        // Its own in-memory adapter, the default one with room for a benchmark's pool of codes: the
        // default keeps about a thousand entries (codes, sessions, grants) and drops the oldest.
        adapter: codeFlow.sqliteFile ? sqliteAdapter(codeFlow.sqliteFile) : await largeMemoryAdapter(),
        findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
        // amr in every ID token, as Tessera's carry it (oidc-provider otherwise names it only when asked for).
        claims: { openid: ['sub', 'amr'], acr: null, auth_time: null, iss: null, sid: null },
        pkce: { required: () => true },
        ttl: { IdToken: accessTokenTtl, AuthorizationCode: 60 },
      };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: grantTypes,
      response_types: responseTypes,
      redirect_uris: codeFlow === undefined ? [] : [codeFlow.redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: scopes.join(' '),
      id_token_signed_response_alg: 'EdDSA',
      ...(codeFlow !== undefined && { require_auth_time: true }),
    },
  ],
  jwks: { keys: [jwk] },
  scopes,
  clientDefaults: { id_token_signed_response_alg: 'EdDSA', grant_types: grantTypes, response_types: responseTypes },
  enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: { ClientCredentials: accessTokenTtl },
  ...codeFlowConfig,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: codeFlow === undefined },
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

/** The default memory adapter over a larger store. */
async function largeMemoryAdapter() {
  const { default: MemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
  const { default: LRU } = await import('oidc-provider/lib/helpers/lru.js');
  const store = new LRU({ maxSize: 1_000_000 });
  return (model) => new MemoryAdapter(model, store);
}

/** The interaction pages, finished without a page: sign `accountId` in, grant what the request asks. */
async function finishInteraction(req, res) {
  const { prompt, grantId, session, params } = await provider.interactionDetails(req, res);
  if (prompt.name === 'login') {
    const login = { accountId: codeFlow.accountId, amr: ['pwd'] };
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  if (prompt.name !== 'consent') throw new Error(`unexpected prompt ${prompt.name}`);
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  for (const [indicator, scope] of Object.entries(prompt.details.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scope.join(' '));
  return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (codeFlow === undefined || !req.url.startsWith('/interaction/')) return callback(req, res);
  finishInteraction(req, res).catch((err) => {
    process.stderr.write(`interaction failed: ${err.stack}\n`);
    res.statusCode = 500;
    res.end();
  });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
process.stdout.write(
  JSON.stringify({ port, issuer, tokenEndpoint: discovery.token_endpoint, authorizationEndpoint: discovery.authorization_endpoint }) + '\n',
);
