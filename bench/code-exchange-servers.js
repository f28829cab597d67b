// The servers of bench/code-exchange.js, each in its own process, set up alike: Tessera (SQLite, a
// temporary data dir) with one confidential client allowed the authorization code grant and one
// user; node-oidc-provider (bench/oidc-provider-server.js with `codeFlow`) twice, keeping its codes
// in SQLite (a file in the same dir, opened as Tessera opens its own) and in memory (its own
// adapter), each with a static client of the same id, secret and redirect URI, whose one account
// has the Tessera user's id. The user is then signed in at each and allows the client, so that
// authorization requests are answered with a code straight away (bench/code-pool.js).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signInOidcProvider, signInTessera } from './code-pool.js';
import { call, start, startTessera } from './processes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OIDC_PROVIDER = join(ROOT, 'bench/oidc-provider-server.js');
export const AUDIENCE = 'https://api.bench.example';
export const REDIRECT_URI = 'https://app.bench.example/callback';
export const ACCESS_TOKEN_TTL = 300;
const PASSWORD = 'correct horse battery staple';

export const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Keeps the end of a server's stderr and how it exited, for the error a dead server causes. */
function watch(t) {
  let tail = '';
  t.child.stderr.on('data', (d) => (tail = (tail + d).slice(-3000)));
  t.child.on('exit', (code, signal) => (t.exited = signal ?? `code ${code}`));
  t.stderr = () => tail;
  return t;
}

/** Starts both servers with the same client, user and keys' algorithm, and signs the user in at each. */
export async function startServers(dataDir, children, log, tesseraNodeArgs) {
  log(`code exchange: initialising Tessera (SQLite) in ${dataDir}`);
  const { base, rootKey, child } = await startTessera(dataDir, tesseraNodeArgs);
  children.push(child);
  const client = await call(base, rootKey, 'POST', '/v1/oauth/clients', {
    name: 'bench web app',
    grantTypes: ['authorization_code'],
    redirectUris: [REDIRECT_URI],
    tokenEndpointAuthMethod: 'client_secret_basic',
    audience: [AUDIENCE],
    signingAlg: 'EdDSA',
    accessTokenTtl: ACCESS_TOKEN_TTL,
  });
  const email = 'ada@bench.example';
  const user = await call(base, rootKey, 'POST', '/v1/users', { email, password: PASSWORD, name: 'Ada', emailVerified: true });
  const same = { clientId: client.clientId, clientSecret: client.clientSecret, redirectUri: REDIRECT_URI, userId: user.userId };
  const settings = { ...same, scopes: ['openid'], audience: AUDIENCE, accessTokenTtl: ACCESS_TOKEN_TTL };
  const targets = [
    {
      ...same,
      name: 'tessera',
      child,
      issuer: base,
      authorizationEndpoint: `${base}/oauth/authorize`,
      tokenEndpoint: `${base}/oauth/token`,
      jwks: await (await fetch(`${base}/oauth/jwks`)).json(),
    },
  ];
  targets[0].jar = await signInTessera({ ...targets[0], email, password: PASSWORD });
  for (const [name, sqliteFile] of [
    ['oidc-provider-sqlite', join(dataDir, 'oidc-provider.sqlite')],
    ['oidc-provider-memory', undefined],
  ]) {
    const op = await start(
      [OIDC_PROVIDER],
      (l) => (l.startsWith('{"port"') ? JSON.parse(l) : undefined),
      name,
      JSON.stringify({ ...settings, codeFlow: { redirectUri: REDIRECT_URI, accountId: user.userId, sqliteFile } }),
    );
    children.push(op.child);
    const t = {
      ...same,
      name,
      child: op.child,
      issuer: op.value.issuer,
      authorizationEndpoint: op.value.authorizationEndpoint,
      tokenEndpoint: op.value.tokenEndpoint,
      jwks: await (await fetch(`${op.value.issuer}/jwks`)).json(),
    };
    t.jar = await signInOidcProvider(t);
    targets.push(t);
  }
  log(`code exchange: ${targets.map((t) => `${t.name} at ${t.issuer}`).join(', ')}; signed in at each`);
  return targets.map(watch);
}
