import type { AuthorizationServer } from '@tessera/core';
import { OAUTH_PATHS } from '@tessera/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { OneOf, Type } from '../../http/schemas.js';
import { formEndpoint, Param, type Issuer } from './form-endpoint.js';
import { devicePages } from './device-pages.js';
import { readCookie } from './hosted-pages.js';
import { DeviceAuthorizationForm, DeviceAuthorizationResponseSchema } from './device-schemas.js';
import { oauthErrors } from './oauth-errors.js';
import { CsrfForm, formHandler, HtmlAnswer, pageErrorHandler, pageFormOperation, signInAnswer } from './page-forms.js';
import { refusedAs, SECOND_FACTOR_FIELDS, secondFactorAnswer } from './passkey-script.js';

const Html = (description: string) =>
  HtmlAnswer(description, '<!doctype html><html lang="en"><head><title>Connect a device</title></head><body><main>…</main></body></html>');
const FORBIDDEN_PAGE = Html('The form’s CSRF token does not go with this browser’s cookie.');
const SERVER_ERROR = Html('Something went wrong on our side.');
const CODE_PAGE = Html('The code page again: the code is wrong or expired, or (429) this network entered too many wrong codes.');

const PageForm = CsrfForm;

/**
 * The device authorization grant (RFC 8628): the device authorization endpoint, and the
 * verification page where the user enters the code, signs in, and allows or denies the device.
 */
export function deviceRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const flow = server.device;
  const sessions = server.sessions;

  const { dress, show } = devicePages(server, issuer);

  const onForm = formHandler(sessions, issuer);
  const session = (request: FastifyRequest) => readCookie(request, issuer(), 'session');

  return async (app) => {
    app.post(
      OAUTH_PATHS.deviceAuthorization,
      {
        schema: pageFormOperation(
          'authorizeDevice',
          'Device authorization endpoint (RFC 8628 §3.1)',
          'A device code for the device, a user code for the person: the device shows the code and the verification page, then polls the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code`.',
          DeviceAuthorizationForm,
          {
            200: { ...DeviceAuthorizationResponseSchema, description: 'The device authorization response (RFC 8628 §3.2).' },
            ...oauthErrors(
              'invalid_request',
              'invalid_client',
              'unauthorized_client',
              'invalid_scope',
              'server_error',
              'temporarily_unavailable',
            ),
          },
        ),
      },
      formEndpoint(issuer, (r, i) => server.deviceAuthorization(r, i)),
    );

    // The verification page and its forms: pages, not RFC 6749 JSON.
    await app.register(async (pages) => {
      pages.setErrorHandler(pageErrorHandler);

      pages.get(
        OAUTH_PATHS.deviceVerification,
        {
          schema: {
            operationId: 'deviceVerificationPage',
            tags: ['oauth'],
            summary: 'The device flow’s verification page (RFC 8628 §3.3)',
            description:
              'Asks for the code the device shows; `user_code` (from `verification_uri_complete`) fills it in. A browser signed in already (back from a sign-in with an upstream provider) has the code checked as the code form checks it.',
            security: [],
            querystring: Type.Object({ user_code: Param('The code, as the device shows it.') }),
            response: {
              200: Html('The code page, or for a signed-in browser the next step.'),
              400: CODE_PAGE,
              429: CODE_PAGE,
              500: SERVER_ERROR,
            },
          },
        },
        async (request, reply) => {
          const typed = (request.query as { user_code?: unknown }).user_code;
          const userCode = typeof typed === 'string' ? typed.slice(0, 16) : undefined;
          if (userCode !== undefined && session(request) !== undefined) {
            const step = await flow.enter(userCode, session(request), request.ip, issuer());
            return show(request, reply, step, await dress(step));
          }
          return show(request, reply, { kind: 'enter-code', userCode });
        },
      );

      pages.post(
        OAUTH_PATHS.deviceVerification,
        {
          schema: pageFormOperation(
            'deviceVerificationCode',
            'The verification page’s form: the code',
            'A known, pending code leads to the sign-in page, or to the confirmation page for a user signed in already. Wrong codes are counted per network (10 in 15 minutes).',
            PageForm({ user_code: Type.String() }, { csrf: 'Zr3…', user_code: 'WDJB-MJHT' }),
            {
              200: Html('The sign-in or confirmation page.'),
              400: CODE_PAGE,
              403: FORBIDDEN_PAGE,
              429: CODE_PAGE,
              500: SERVER_ERROR,
            },
          ),
        },
        onForm(async (fields, request, reply) => {
          const step = await flow.enter(fields.get('user_code') ?? '', session(request), request.ip, issuer());
          return show(request, reply, step, await dress(step));
        }),
      );

      pages.post(
        `${OAUTH_PATHS.deviceVerification}/sign-in`,
        {
          schema: pageFormOperation(
            'deviceVerificationSignIn',
            'The verification page’s sign-in form',
            'The same sign-in, throttle and audit as the authorization endpoint’s.',
            PageForm(
              { user_code: Type.String(), email: Type.String(), password: Type.String() },
              { csrf: 'Zr3…', user_code: 'WDJB-MJHT', email: 'ada@example.com', password: 'correct horse battery staple' },
            ),
            {
              200: Html('The confirmation page.'),
              400: CODE_PAGE,
              401: Html('The sign-in page again: the email or password is not right.'),
              403: FORBIDDEN_PAGE,
              429: Html('Too many failed sign-ins from this network, or too many wrong codes for this user: nothing was checked.'),
              500: SERVER_ERROR,
            },
          ),
        },
        onForm(async (fields, request, reply) => {
          const signed = await flow.signIn(fields.get('user_code') ?? '', {
            email: fields.get('email') ?? '',
            password: fields.get('password') ?? '',
            ip: request.ip,
            issuer: issuer(),
          });
          const brand = await dress(signed.step);
          return signInAnswer(request, reply, issuer, signed, {
            refused: () =>
              show(request, reply, signed.step, brand, signed.step.kind === 'sign-in' ? { email: fields.get('email') ?? '' } : undefined),
            next: (step) => show(request, reply, step, brand),
          });
        }),
      );

      pages.post(
        `${OAUTH_PATHS.deviceVerification}/second-factor`,
        {
          schema: pageFormOperation(
            'deviceVerificationSecondFactor',
            'The verification page’s second-factor form: a passkey or a TOTP code, after the password',
            'The same check, throttle and audit as the authorization endpoint’s second factor.',
            PageForm({ user_code: Type.String(), ...SECOND_FACTOR_FIELDS }, { csrf: 'Zr3…', user_code: 'WDJB-MJHT', code: '123456' }),
            {
              200: Html('The confirmation page.'),
              400: CODE_PAGE,
              401: Html('The second-factor page again: the code or passkey is not right, or it was used already.'),
              403: FORBIDDEN_PAGE,
              429: Html('Too many failed sign-ins from this network, or too many wrong codes for this user: nothing was checked.'),
              500: SERVER_ERROR,
            },
          ),
        },
        onForm(async (fields, request, reply) => {
          const answer = secondFactorAnswer(fields, issuer());
          const verified = await flow.verifySecondFactor(fields.get('user_code') ?? '', session(request), {
            answer,
            ip: request.ip,
            issuer: issuer(),
          });
          const brand = await dress(verified.step);
          return signInAnswer(request, reply, issuer, verified, {
            refused: () =>
              show(request, reply, verified.step, brand, verified.step.kind === 'second-factor' ? refusedAs(answer) : undefined),
            next: (step) => show(request, reply, step, brand),
          });
        }),
      );

      pages.post(
        `${OAUTH_PATHS.deviceVerification}/decision`,
        {
          schema: pageFormOperation(
            'deviceVerificationDecision',
            'The confirmation form: Allow or Deny the device',
            'Allow lets the device’s next poll get its tokens (and remembers the consent); Deny makes it `access_denied`.',
            PageForm(
              { user_code: Type.String(), decision: OneOf(['allow', 'deny'] as const) },
              { csrf: 'Zr3…', user_code: 'WDJB-MJHT', decision: 'allow' },
            ),
            {
              200: Html('Done; or the sign-in page, when the session ended meanwhile.'),
              400: CODE_PAGE,
              403: FORBIDDEN_PAGE,
              429: CODE_PAGE,
              500: SERVER_ERROR,
            },
          ),
        },
        onForm(async (fields, request, reply) => {
          const allow = fields.get('decision') === 'allow';
          const step = await flow.decide(fields.get('user_code') ?? '', session(request), allow, request.ip, issuer());
          return show(request, reply, step, await dress(step));
        }),
      );
    });
  };
}
