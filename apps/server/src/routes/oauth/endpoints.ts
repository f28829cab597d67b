import type { FastifyPluginAsync, RouteOptions } from 'fastify';
import type { Config } from '../../config.js';
import { issuerOf } from '../../http/issuer.js';
import type { Services } from '../../wiring/services.js';
import { accountRoutes } from './account.js';
import { authorizeRoutes } from './authorize.js';
import { addCorsHeaders, corsRoutes } from './cors.js';
import { deviceRoutes } from './device.js';
import { federationRoutes } from './federation.js';
import { pushedAuthorizationRoute } from './pushed-authorization.js';
import { logoutRoutes } from './logout.js';
import { addFormParser } from './form-endpoint.js';
import { IntrospectionSchema, introspectionRoute } from './introspection.js';
import { JwksSchema, MetadataSchema, metadataRoutes } from './metadata.js';
import { oauthErrorHandler, OAuthErrorSchema } from './oauth-errors.js';
import { revocationRoute } from './revocation.js';
import { TokenResponseSchema, tokenRoute } from './token.js';
import { UserinfoSchema, userinfoRoutes } from './userinfo.js';

/**
 * The OAuth 2.0 and OpenID Connect endpoints: authorization (with its hosted pages), token,
 * userinfo, introspection, revocation, metadata and JWKS, a file each. They take form-encoded
 * bodies and answer errors as RFC 6749 §5.2 JSON (the authorization endpoint as pages and
 * redirects), not as problem+json.
 */
export function oauthEndpoints(services: Services, config: Config): FastifyPluginAsync {
  const { oauth } = services;
  return async (app) => {
    const issuer = issuerOf(app, config);

    // The named shapes first: adding a schema gives a context a validator compiler of its own.
    for (const schema of [OAuthErrorSchema, TokenResponseSchema, IntrospectionSchema, MetadataSchema, JwksSchema, UserinfoSchema])
      app.addSchema(schema);
    addFormParser(app);
    app.setErrorHandler(oauthErrorHandler);
    // The endpoints check their own parameters and answer in RFC 6749's words (see tokenRequest and
    // the grants); a form's schema documents it and validates nothing.
    app.setValidatorCompiler(() => () => true);
    // Nor do the problem+json answers the shared hooks declare for a body apply: a body too large or
    // of another type is refused here as `invalid_request`, a 400.
    app.addHook('onRoute', (route) => withoutProblemAnswers(route));

    addCorsHeaders(app, oauth.server);
    await app.register(corsRoutes(oauth.server));
    await app.register(tokenRoute(oauth.server, issuer));
    await app.register(introspectionRoute(oauth.server, issuer));
    await app.register(revocationRoute(oauth.server, issuer));
    await app.register(metadataRoutes(oauth.server, oauth.keys, issuer));
    await app.register(userinfoRoutes(oauth.server, issuer));
    await app.register(authorizeRoutes(oauth.server, issuer));
    await app.register(deviceRoutes(oauth.server, issuer));
    await app.register(pushedAuthorizationRoute(oauth.server, issuer));
    await app.register(logoutRoutes(oauth.server, issuer));
    await app.register(accountRoutes(oauth.server, issuer));
    await app.register(federationRoutes(oauth.server, issuer));
  };
}

/** Drops the problem+json answers the shared hooks declare: these routes answer in their own words. */
export function withoutProblemAnswers(route: RouteOptions): void {
  const response = (route.schema as { response?: Record<string, { content?: Record<string, unknown> }> } | undefined)?.response;
  if (response === undefined) return;
  for (const [status, entry] of Object.entries(response))
    if (entry.content !== undefined && 'application/problem+json' in entry.content) delete response[status];
}
