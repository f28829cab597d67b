import type { AuthorizationRequest, AuthorizationServer } from '@tessera/core';
import { OAUTH_PATHS } from '@tessera/core';
import type { TSchema } from 'typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OneOf, Type } from '../../http/schemas.js';
import { FORM, type Issuer } from './form-endpoint.js';
import { authorizationPages } from './authorization-pages.js';
import { readCookie } from './hosted-pages.js';
import { refusedAs, SECOND_FACTOR_FIELDS, secondFactorAnswer } from './passkey-script.js';
import { formHandler, HtmlAnswer, pageErrorHandler, pageFormOperation, signInAnswer } from './page-forms.js';

const PAGE = '<!doctype html><html lang="en"><head><title>Sign in</title></head><body><main><h1>Sign in</h1>…</main></body></html>';
const REDIRECT = {
  description: 'Back to the client: `code`, `state` and `iss` (RFC 9207), or `error`, `error_description`, `state` and `iss`.',
  headers: { Location: { type: 'string', description: 'The client’s redirect URI with the answer in its query.' } },
};
const ERROR_PAGE = HtmlAnswer(
  'The client or redirect URI is not known or not registered: shown here, never redirected (RFC 6749 §4.1.2.1).',
  PAGE,
);
const FORBIDDEN_PAGE = HtmlAnswer('The form’s CSRF token does not go with this browser’s cookie.', PAGE);
const SERVER_ERROR = HtmlAnswer('Something went wrong on our side.', PAGE);

const Q = (description: string) => Type.Optional(Type.String({ description }));
const AuthorizeQuery = Type.Object({
  // Required unless the request was pushed (request_uri): then only client_id and request_uri are read.
  response_type: Type.Optional(OneOf(['code'] as const)),
  client_id: Type.String(),
  redirect_uri: Type.Optional(Type.String({ description: 'One the client registered, exactly (loopback ports aside).' })),
  code_challenge: Type.Optional(Type.String({ description: 'BASE64URL(SHA-256(code_verifier)): PKCE is required.' })),
  code_challenge_method: Type.Optional(OneOf(['S256'] as const, { description: 'Only S256; `plain` and none are refused.' })),
  scope: Q('Space-separated: `openid`, `profile`, `email`, `offline_access` and the client’s scopes.'),
  state: Q('Returned as it is.'),
  nonce: Q('Put in the ID token.'),
  prompt: Q('`none`, `login`, `consent` (OIDC Core §3.1.2.1).'),
  max_age: Q('Seconds: an older sign-in must be made again.'),
  login_hint: Q('The email to fill in.'),
  response_mode: Q('Only `query`.'),
  request_uri: Q(
    'A `request_uri` from the pushed authorization request endpoint (RFC 9126 §4), with `client_id`: the other parameters are then the pushed ones.',
  ),
});

const PageForm = (fields: Record<string, TSchema>, example: Record<string, string>) =>
  Type.Object(
    { request: Type.String({ description: 'The query of the authorization request.' }), csrf: Type.String(), ...fields },
    { description: `The page's form, as ${FORM}.`, examples: [example] },
  );
const REQUEST_EXAMPLE = 'response_type=code&client_id=cli_0Hq4C7d8E9f0G1h2I3j4K5&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&…';

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2) and its hosted pages. Each step
 * carries the original query and checks it again: nothing waits on the server between pages.
 */
export function authorizeRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const flow = server.authorization;
  const sessions = server.sessions;

  const { brandOf, show, checked } = authorizationPages(server, issuer);

  /** A posted form about a pending request: its fields, the request's query, and the request checked again. */
  const onRequestForm = <T>(
    handle: (
      fields: Map<string, string>,
      query: string,
      r: AuthorizationRequest,
      request: FastifyRequest,
      reply: FastifyReply,
    ) => Promise<T>,
  ) =>
    formHandler(
      sessions,
      issuer,
    )(async (fields, request, reply) => {
      const query = fields.get('request') ?? '';
      const r = await checked(query, reply);
      return r === undefined ? reply : handle(fields, query, r, request, reply);
    });

  return async (app) => {
    app.setErrorHandler(pageErrorHandler);

    app.get(
      OAUTH_PATHS.authorization,
      {
        schema: {
          operationId: 'authorize',
          tags: ['oauth'],
          summary: 'Authorization endpoint (RFC 6749 §3.1, RFC 7636, OIDC Core §3.1.2)',
          description:
            'Signs the user in (a hosted page), asks their consent once per client and scopes (a hosted page), and sends the browser back with a single-use code valid for 60 seconds.',
          security: [],
          querystring: AuthorizeQuery,
          response: { 200: HtmlAnswer('The sign-in or consent page.', PAGE), 303: REDIRECT, 400: ERROR_PAGE, 500: SERVER_ERROR },
        },
      },
      async (request, reply) => {
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
        const r = await checked(query, reply);
        if (r === undefined) return reply;
        const step = await flow.next(r, issuer(), readCookie(request, issuer(), 'session'));
        return show(request, reply, step, query, await brandOf(r));
      },
    );

    app.post(
      `${OAUTH_PATHS.authorization}/sign-in`,
      {
        schema: pageFormOperation(
          'authorizeSignIn',
          'The sign-in page’s form',
          'A wrong email, a wrong password and a disabled user get the same answer, after the same work.',
          PageForm(
            { email: Type.String(), password: Type.String() },
            { request: REQUEST_EXAMPLE, csrf: 'Zr3…', email: 'ada@example.com', password: 'correct horse battery staple' },
          ),
          {
            200: HtmlAnswer('The consent page.', PAGE),
            303: REDIRECT,
            400: ERROR_PAGE,
            401: HtmlAnswer('The sign-in page again: the email or password is not right.', PAGE),
            403: FORBIDDEN_PAGE,
            429: HtmlAnswer('Too many failed sign-ins from this network: nothing was checked.', PAGE),
            500: SERVER_ERROR,
          },
        ),
      },
      onRequestForm(async (fields, query, r, request, reply) => {
        const signed = await flow.signIn(r, issuer(), {
          email: fields.get('email') ?? '',
          password: fields.get('password') ?? '',
          ip: request.ip,
        });
        const brand = await brandOf(r);
        return signInAnswer(request, reply, issuer, signed, {
          refused: () => show(request, reply, { kind: 'sign-in', request: r }, query, brand, { email: fields.get('email') ?? '' }),
          next: (step) => show(request, reply, step, query, brand),
        });
      }),
    );

    app.post(
      `${OAUTH_PATHS.authorization}/second-factor`,
      {
        schema: pageFormOperation(
          'authorizeSecondFactor',
          'The second-factor page’s form: a passkey or a TOTP code, after the password',
          'For users who registered a passkey or enrolled a TOTP code. Each code is accepted once, each passkey challenge answered once; wrong and replayed codes count against the network like wrong passwords, and against the user from every network; a refused passkey counts against the network.',
          PageForm(SECOND_FACTOR_FIELDS, { request: REQUEST_EXAMPLE, csrf: 'Zr3…', code: '123456' }),
          {
            200: HtmlAnswer('The consent page, or the sign-in page when the session ended meanwhile.', PAGE),
            303: REDIRECT,
            400: ERROR_PAGE,
            401: HtmlAnswer('The second-factor page again: the code or passkey is not right, or it was used already.', PAGE),
            403: FORBIDDEN_PAGE,
            429: HtmlAnswer(
              'Too many failed sign-ins from this network, or too many wrong codes for this user: nothing was checked.',
              PAGE,
            ),
            500: SERVER_ERROR,
          },
        ),
      },
      onRequestForm(async (fields, query, r, request, reply) => {
        const cookie = readCookie(request, issuer(), 'session');
        const answer = secondFactorAnswer(fields, issuer());
        const verified = await flow.verifySecondFactor(r, issuer(), cookie, { answer, ip: request.ip });
        const brand = await brandOf(r);
        return signInAnswer(request, reply, issuer, verified, {
          refused: () =>
            show(request, reply, verified.step, query, brand, verified.step.kind === 'second-factor' ? refusedAs(answer) : undefined),
          next: (step) => show(request, reply, step, query, brand),
        });
      }),
    );

    app.post(
      `${OAUTH_PATHS.authorization}/consent`,
      {
        schema: pageFormOperation(
          'authorizeConsent',
          'The consent page’s form: Allow or Deny',
          'Allow remembers the scopes for this user and client and sends a code; Deny sends `access_denied`.',
          PageForm({ decision: OneOf(['allow', 'deny'] as const) }, { request: REQUEST_EXAMPLE, csrf: 'Zr3…', decision: 'allow' }),
          {
            200: HtmlAnswer('The sign-in page, when the session ended meanwhile.', PAGE),
            303: REDIRECT,
            400: ERROR_PAGE,
            403: FORBIDDEN_PAGE,
            500: SERVER_ERROR,
          },
        ),
      },
      onRequestForm(async (fields, query, r, request, reply) => {
        const allow = fields.get('decision') === 'allow';
        const step = await flow.decide(r, issuer(), readCookie(request, issuer(), 'session'), allow, request.ip);
        return show(request, reply, step, query, await brandOf(r));
      }),
    );
  };
}
