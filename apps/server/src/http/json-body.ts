import type { FastifyInstance } from 'fastify';

/**
 * An empty JSON body counts as `{}` (a bare `POST …/revoke` sent with the JSON content type); the
 * route's schema then decides. Anything else goes to Fastify's parser, which refuses prototype poisoning.
 */
export function acceptEmptyJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, {});
    return parseJson(request, body as string, done);
  });
}
