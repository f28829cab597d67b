import { PORTAL_SESSION_MS, TesseraError, type PortalSession } from '@tessera/core';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { issuerOf } from '../../http/issuer.js';
import { Type } from '../../http/schemas.js';
import type { Services } from '../../wiring/services.js';
import { withoutProblemAnswers } from '../oauth/endpoints.js';
import { addFormParser, FORM } from '../oauth/form-endpoint.js';
import { readCookie, sendRedirect, setCookie } from '../oauth/hosted-pages.js';
import { CsrfForm, HtmlAnswer, pageCsrf, pageForm } from '../oauth/page-forms.js';
import { portalEndedPage, portalPage, sendPortalPage, type PortalView } from './portal-pages.js';

export const PORTAL_PATH = '/portal';
/** Where a portal link points: `/portal/open/<token>`. */
export const PORTAL_OPEN_PATH = '/portal/open';

const ENDED = 'Your portal session ended or was never opened here. Go back to the application and open the portal again.';
const USED =
  'This link was used already, or it expired: a portal link opens once, within five minutes. Go back to the application and open the portal again.';

const Html = (description: string) =>
  HtmlAnswer(description, '<!doctype html><html lang="en"><head><title>API keys · Acme</title></head><body><main>…</main></body></html>');
const PAGE = Html('The portal: the owner’s keys, their usage, and the form that makes one; a key made or rolled is shown this once.');
const REFUSED = Html('The portal with why the form was refused (400, 404, 409, 422), or the CSRF page (403).');
const ENDED_PAGE = Html('The portal session ended, or there is none in this browser.');
const KeyParams = Type.Object({ keyId: Type.String({ maxLength: 64 }) });
const Form = CsrfForm;
const tags = ['portal'];

/** The schema of a portal form on one of the owner's keys (its id in the path): the form holds only its CSRF token. */
const keyForm = (operationId: string, summary: string, response: Record<number, unknown>) => ({
  schema: { operationId, tags, summary, security: [], consumes: [FORM], params: KeyParams, body: Form({}, { csrf: '…' }), response },
});

/**
 * The portal's browser side: the link that opens a session, and the pages where a key owner
 * manages their keys. Forms are CSRF-checked as the OAuth hosted pages' are; every change goes
 * through the portal's key actions, and so through the key service.
 */
export function portalRoutes(services: Services, config: Config): FastifyPluginAsync {
  const { portal } = services;
  const csrfSessions = services.oauth.server.sessions;
  return async (app) => {
    const issuer = issuerOf(app, config);
    addFormParser(app);
    // Forms are read by hand (pageForm); the schemas document them and validate nothing.
    app.setValidatorCompiler(() => () => true);
    app.addHook('onRoute', (route) => withoutProblemAnswers(route));
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const status = error instanceof TesseraError ? error.status : (error as FastifyError).statusCode;
      if (status !== undefined && status >= 400 && status < 500)
        return sendPortalPage(reply, status, portalEndedPage(error instanceof TesseraError ? error.detail : 'This request is not valid.'));
      request.log.error({ err: { type: error.name, message: error.message } }, 'error on a portal page');
      return sendPortalPage(reply, 500, portalEndedPage('Something went wrong on our side. Try again in a moment.'));
    });

    const sessionOf = (request: FastifyRequest) => portal.sessions.find(readCookie(request, issuer(), 'portal'));

    async function show(
      request: FastifyRequest,
      reply: FastifyReply,
      session: PortalSession,
      status: number,
      extra: Pick<PortalView, 'created' | 'error' | 'notice'> = {},
    ): Promise<FastifyReply> {
      const [settings, keyspace, keys] = await Promise.all([
        portal.keys.settings(session),
        services.store.getKeyspace(session.keyspaceId),
        portal.keys.list(session),
      ]);
      const csrf = pageCsrf(csrfSessions, issuer, request, reply);
      const view = { session, settings, keyspaceName: keyspace?.name ?? 'the application', keys, csrf, ...extra };
      return sendPortalPage(reply, status, portalPage(view, services.clock.now()), settings);
    }

    /** Runs a form's action in the session; a refusal (a 4xx) is the portal again, saying why. */
    async function act(
      request: FastifyRequest,
      reply: FastifyReply,
      run: (session: PortalSession, fields: Map<string, string>) => Promise<Pick<PortalView, 'created' | 'notice'>>,
    ): Promise<FastifyReply> {
      const session = await sessionOf(request);
      if (session === undefined) return sendPortalPage(reply, 401, portalEndedPage(ENDED));
      const fields = pageForm(csrfSessions, issuer, request, reply);
      if (!(fields instanceof Map)) return fields;
      try {
        return await show(request, reply, session, 200, await run(session, fields));
      } catch (err) {
        if (err instanceof TesseraError && err.status >= 400 && err.status < 500)
          return show(request, reply, session, err.status, { error: err.detail });
        throw err;
      }
    }

    app.get(
      `${PORTAL_OPEN_PATH}/:token`,
      {
        schema: {
          operationId: 'openPortal',
          tags,
          summary: 'Open a portal link: its session cookie is set, and the browser sent on to the portal',
          description: 'A link opens once, within five minutes; after that, or when unknown, the page says so (410).',
          security: [],
          params: Type.Object({ token: Type.String({ maxLength: 128 }) }),
          response: {
            303: { description: 'To the portal, with the session cookie set.', type: 'null' },
            410: Html('The link was used already, or it expired.'),
          },
        },
      },
      async (request, reply) => {
        const opened = await portal.sessions.open((request.params as { token: string }).token, request.ip);
        if (opened === undefined) return sendPortalPage(reply, 410, portalEndedPage(USED));
        setCookie(request, reply, issuer(), 'portal', opened.cookie, PORTAL_SESSION_MS / 1000);
        return sendRedirect(reply, PORTAL_PATH);
      },
    );

    app.get(
      PORTAL_PATH,
      {
        schema: {
          operationId: 'showPortal',
          tags,
          summary: 'The portal: the key owner’s keys, their usage, and a form to create one',
          security: [],
          response: { 200: PAGE, 401: ENDED_PAGE },
        },
      },
      async (request, reply) => {
        const session = await sessionOf(request);
        return session === undefined ? sendPortalPage(reply, 401, portalEndedPage(ENDED)) : show(request, reply, session, 200);
      },
    );

    app.post(
      `${PORTAL_PATH}/keys`,
      {
        schema: {
          operationId: 'createPortalKey',
          tags,
          summary: 'The portal’s form: create a key for the owner, within the keyspace’s portal settings',
          security: [],
          consumes: [FORM],
          body: Form(
            { name: Type.String(), lifetime: Type.String(), scope: Type.String() },
            { csrf: '…', name: 'CI', lifetime: '2592000', scope: 'billing:read' },
          ),
          response: { 200: PAGE, 400: REFUSED, 401: ENDED_PAGE, 403: REFUSED, 409: REFUSED, 422: REFUSED },
        },
      },
      (request, reply) =>
        act(request, reply, async (session, fields) => {
          const scopes = (request.body as Map<string, string[]>).get('scope') ?? [];
          const input = { name: fields.get('name') ?? '', scopes, lifetimeSeconds: Number(fields.get('lifetime')) };
          const { record, key } = await portal.keys.create(session, input, request.ip);
          return { created: { name: record.name ?? record.id, key, rolled: false } };
        }),
    );

    app.post(
      `${PORTAL_PATH}/keys/:keyId/roll`,
      keyForm('rollPortalKey', 'The portal’s form: roll one of the owner’s keys (the old one works one more day)', {
        200: PAGE,
        401: ENDED_PAGE,
        403: REFUSED,
        404: REFUSED,
        409: REFUSED,
      }),
      (request, reply) =>
        act(request, reply, async (session) => {
          const { record, key } = await portal.keys.roll(session, (request.params as { keyId: string }).keyId, request.ip);
          return { created: { name: record.name ?? record.id, key, rolled: true } };
        }),
    );

    app.post(
      `${PORTAL_PATH}/keys/:keyId/revoke`,
      keyForm('revokePortalKey', 'The portal’s form: revoke one of the owner’s keys, at once', {
        200: PAGE,
        401: ENDED_PAGE,
        403: REFUSED,
        404: REFUSED,
      }),
      (request, reply) =>
        act(request, reply, async (session) => {
          const revoked = await portal.keys.revoke(session, (request.params as { keyId: string }).keyId, request.ip);
          return { notice: `Revoked ${revoked.name ?? revoked.id}: it no longer works.` };
        }),
    );
  };
}
