import { OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../http/schemas.js';
import { FORM, Param, type Issuer } from './form-endpoint.js';
import { errorPage, readCookie, sendPage, sendRedirect, setCookie, signedOutPage, signOutPage } from './hosted-pages.js';
import { HtmlAnswer, pageCsrf, pageErrorHandler, pageForm } from './page-forms.js';

const Html = (description: string) =>
  HtmlAnswer(description, '<!doctype html><html lang="en"><head><title>Sign out</title></head><body><main>…</main></body></html>');
const LogoutParams = Type.Object(
  {
    id_token_hint: Param('An ID token Tessera issued to the client (it may have expired): it names the client.'),
    client_id: Param('The client, when there is no id_token_hint; with one, the same as its aud.'),
    post_logout_redirect_uri: Param('Where to send the browser after signing out: one the client registered, exactly.'),
    state: Param('Returned as it is with the redirect.'),
    logout_hint: Param('Accepted and not needed.'),
    ui_locales: Param('Accepted and not needed.'),
  },
  {
    description: 'OpenID Connect RP-Initiated Logout 1.0 §2.',
    examples: [
      { id_token_hint: 'eyJhbGciOiJFZERTQSIs…', post_logout_redirect_uri: 'https://app.example.com/signed-out', state: 'af0ifjsldkj' },
    ],
  },
);
const REDIRECT = {
  description: 'Signed out; back to the client’s `post_logout_redirect_uri`, with `state`.',
  headers: { Location: { type: 'string', description: 'The post-logout redirect URI.' } },
};

/** The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0) and its confirmation page. */
export function logoutRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const sessions = server.sessions;

  async function checked(query: string, reply: FastifyReply) {
    const params = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(query)) params.set(k, [...(params.get(k) ?? []), v]);
    const check = await server.logout.check(params, issuer());
    if (check.ok) return check.request;
    sendPage(reply, 400, errorPage(check.page));
    return undefined;
  }

  /** The confirmation page for the request of a query. */
  async function confirm(request: FastifyRequest, reply: FastifyReply, query: string) {
    const r = await checked(query, reply);
    if (r === undefined) return reply;
    const csrf = pageCsrf(sessions, issuer, request, reply);
    return sendPage(reply, 200, signOutPage({ app: r.client?.name, query, csrf }), r.postLogoutRedirectUri);
  }

  return async (app) => {
    app.setErrorHandler(pageErrorHandler);
    const schema = (method: 'GET' | 'POST') => ({
      operationId: method === 'GET' ? 'endSession' : 'endSessionPost',
      tags: ['oauth'],
      summary: 'End-session endpoint (OpenID Connect RP-Initiated Logout 1.0)',
      description: 'Asks the user to confirm, then signs them out and sends them back to the client if it asked for it.',
      security: [],
      ...(method === 'GET' ? { querystring: LogoutParams } : { consumes: [FORM], body: LogoutParams }),
      response: {
        200: Html('The confirmation page.'),
        400: Html('The request is not valid (an ID token not ours, an unregistered redirect URI): shown, never redirected.'),
        500: Html('Something went wrong on our side.'),
      },
    });

    app.get(OAUTH_PATHS.endSession, { schema: schema('GET') }, async (request, reply) =>
      confirm(request, reply, request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''),
    );

    app.post(OAUTH_PATHS.endSession, { schema: schema('POST') }, async (request, reply) => {
      const body = request.body;
      const query = new URLSearchParams();
      if (body instanceof Map) for (const [k, vs] of body as Map<string, string[]>) for (const v of vs) query.append(k, v);
      return confirm(request, reply, query.toString());
    });

    app.post(
      `${OAUTH_PATHS.endSession}/confirm`,
      {
        schema: {
          operationId: 'endSessionConfirm',
          tags: ['oauth'],
          summary: 'The sign-out confirmation form',
          description: 'Ends every sign-in of the user at Tessera and clears the session cookie.',
          security: [],
          consumes: [FORM],
          body: Type.Object(
            { request: Type.String({ description: 'The logout request’s parameters.' }), csrf: Type.String() },
            { description: `The page's form, as ${FORM}.`, examples: [{ request: 'client_id=cli_…&state=xyz', csrf: 'Zr3…' }] },
          ),
          response: {
            200: Html('Signed out (no redirect asked for).'),
            303: REDIRECT,
            400: Html('The request is not valid.'),
            403: Html('The form’s CSRF token does not go with this browser’s cookie.'),
            500: Html('Something went wrong on our side.'),
          },
        },
      },
      async (request, reply) => {
        const fields = pageForm(sessions, issuer, request, reply);
        if (!(fields instanceof Map)) return fields;
        const r = await checked(fields.get('request') ?? '', reply);
        if (r === undefined) return reply;
        await server.logout.signOut(r, readCookie(request, issuer(), 'session'), request.ip);
        setCookie(request, reply, issuer(), 'session', '', 0);
        if (r.postLogoutRedirectUri === undefined) return sendPage(reply, 200, signedOutPage());
        const to = new URL(r.postLogoutRedirectUri);
        if (r.state !== undefined) to.searchParams.append('state', r.state);
        return sendRedirect(reply, to.toString());
      },
    );
  };
}
