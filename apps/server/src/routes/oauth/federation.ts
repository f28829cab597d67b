import { FEDERATION_CALLBACK_PATH, OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '../../http/schemas.js';
import { authorizationPages } from './authorization-pages.js';
import type { Issuer } from './form-endpoint.js';
import { errorPage, readCookie, sendPage, sendRedirect, setCookie } from './hosted-pages.js';
import { HtmlAnswer, pageErrorHandler } from './page-forms.js';

const PAGE = '<!doctype html><html lang="en"><head><title>Cannot continue</title></head><body><main>…</main></body></html>';
const Html = (description: string) => HtmlAnswer(description, PAGE);
const SERVER_ERROR = Html('Something went wrong on our side.');
const DEVICE_REFUSED = 'This code is not valid, or it expired. Enter the code the device shows again.';
const Q = (description: string) => Type.Optional(Type.String({ description }));

/** Ten minutes: as long as the sign-in sent upstream is taken back. */
const BINDING_MAX_AGE_S = 600;

/**
 * Sign-in with an upstream OpenID Provider, from the hosted sign-in page: the start (a link per
 * provider, sending the browser upstream) and the callback the provider sends it back to, which
 * then goes on with the authorization request as a sign-in with a password would, or sends the
 * browser back to the device verification page or the account page it started from.
 */
export function federationRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const { brandOf, show, checked } = authorizationPages(server, issuer);
  return async (app) => {
    app.setErrorHandler(pageErrorHandler);

    app.get(
      '/oauth/federation/start',
      {
        schema: {
          operationId: 'startFederatedSignIn',
          tags: ['oauth'],
          summary: 'Sign in with an upstream OpenID Provider: the sign-in page’s “Sign in with …” link',
          description:
            'Checks the authorization request again (or the device’s user code, or the account page’s workspace: exactly one of `request`, `device`, `account`) and sends the browser to the provider’s authorization endpoint (code flow with PKCE S256, `state`, `nonce`), setting a cookie that binds the `state` to this browser. The provider must be one of that workspace’s.',
          security: [],
          querystring: Type.Object({
            provider: Type.String({ description: 'The provider’s id (`idp_…`).' }),
            request: Q('The query of the authorization request, from the authorization endpoint’s sign-in page.'),
            device: Q('The user code, from the device verification page’s sign-in: back there after the sign-in.'),
            account: Q('The workspace (`ws_…`), from the account page’s sign-in: back there after the sign-in.'),
          }),
          response: {
            303: { description: 'To the upstream provider’s authorization endpoint.', headers: { Location: { type: 'string' } } },
            400: Html(
              'Not exactly one of `request`, `device`, `account`; the authorization request, user code or workspace is not valid; or the provider is not one of its workspace’s.',
            ),
            429: Html('This network entered too many wrong user codes.'),
            500: SERVER_ERROR,
          },
        },
      },
      async (request, reply) => {
        const q = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1));
        const provider = q.get('provider') ?? '';
        const binding = readCookie(request, issuer(), 'federation');
        const targets = ['request', 'device', 'account'].filter((k) => q.has(k));
        if (targets.length !== 1) return sendPage(reply, 400, errorPage('This sign-in option is not offered here.'));
        let started;
        if (targets[0] === 'request') {
          const query = q.get('request')!;
          const r = await checked(query, reply);
          if (r === undefined) return reply;
          started = await server.federation.start(r, query, provider, issuer(), binding);
        } else if (targets[0] === 'device') {
          // The code is checked as the code form checks it (and a wrong one counted against this network).
          const step = await server.device.enter(q.get('device')!, undefined, request.ip, issuer());
          if (!('client' in step) || step.kind !== 'sign-in')
            return sendPage(reply, step.kind === 'enter-code' && step.failed === 'throttled' ? 429 : 400, errorPage(DEVICE_REFUSED));
          const resume = { kind: 'device', userCode: step.userCode } as const;
          started = await server.federation.startFor(step.client.workspaceId, resume, provider, issuer(), binding);
        } else {
          const workspace = q.get('account')!;
          started = await server.federation.startFor(workspace, { kind: 'account', workspace }, provider, issuer(), binding);
        }
        if (!started.ok) return sendPage(reply, 400, errorPage(started.page));
        setCookie(request, reply, issuer(), 'federation', started.binding, BINDING_MAX_AGE_S);
        return sendRedirect(reply, started.location);
      },
    );

    app.get(
      FEDERATION_CALLBACK_PATH,
      {
        schema: {
          operationId: 'federatedSignInCallback',
          tags: ['oauth'],
          summary: 'Where an upstream OpenID Provider sends the browser back (its registered redirect URI)',
          description:
            'Takes the `state` once, only in the browser that started the sign-in; redeems the code with the PKCE verifier and validates the ID token (signature, `iss`, `aud`, `exp`, `nonce`); finds, links or makes the end user; then goes on with the authorization request.',
          security: [],
          querystring: Type.Object({
            code: Q('The upstream’s authorization code.'),
            state: Q('The `state` Tessera sent.'),
            iss: Q('The upstream’s issuer (RFC 9207).'),
            error: Q('The upstream’s error, instead of a code.'),
            error_description: Q('Not shown.'),
            session_state: Q('Ignored.'),
          }),
          response: {
            200: Html('The consent page (or the sign-in page, when the authorization request asks so).'),
            303: {
              description:
                'Back to the client, as after any sign-in; or to the device verification page or account page the sign-in started from.',
              headers: { Location: { type: 'string' } },
            },
            400: Html('The `state` is unknown, expired, another browser’s or used already; or the answer is not complete.'),
            403: Html(
              'The upstream refused, or the account may not sign in (an existing account whose email the upstream has not verified).',
            ),
            502: Html('The upstream could not be reached, or its ID token did not validate.'),
            500: SERVER_ERROR,
          },
        },
      },
      async (request, reply) => {
        const answer = new Map<string, string>();
        for (const [k, v] of new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''))
          if (!answer.has(k)) answer.set(k, v);
        const done = await server.federation.finish(answer, readCookie(request, issuer(), 'federation'), issuer(), request.ip);
        if (!done.ok) return sendPage(reply, done.status, errorPage(done.page));
        if (done.resume.kind === 'device') {
          setCookie(request, reply, issuer(), 'session', done.cookie, 8 * 3600);
          return sendRedirect(reply, `${OAUTH_PATHS.deviceVerification}?${new URLSearchParams({ user_code: done.resume.userCode })}`);
        }
        if (done.resume.kind === 'account') {
          setCookie(request, reply, issuer(), 'session', done.cookie, 8 * 3600);
          return sendRedirect(reply, `${OAUTH_PATHS.account}?${new URLSearchParams({ workspace: done.resume.workspace })}`);
        }
        const r = await checked(done.resume.query, reply);
        if (r === undefined) return reply;
        setCookie(request, reply, issuer(), 'session', done.cookie, 8 * 3600);
        const step = await server.authorization.next(r, issuer(), done.cookie, true);
        return show(request, reply, step, done.resume.query, await brandOf(r));
      },
    );
  };
}
