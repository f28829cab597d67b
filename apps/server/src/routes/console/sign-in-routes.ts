import { TesseraError } from '@tessera/core';
import { problems } from '../../http/contract.js';
import { csrfTokenFor, setSessionCookie } from '../../http/console-session.js';
import { Type } from '../../http/schemas.js';
import { halfSession, relyingParty, signedIn, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { Credential, CREDENTIAL_EXAMPLE, Email, Password, PasskeyRequestOptions, SessionAnswer, TotpCode } from './console-schemas.js';

/** The one answer to every failed second factor, whether the password before it was right or not. */
const notSignedIn = (what: 'code' | 'passkey') =>
  new TesseraError(
    'UNAUTHORIZED',
    what === 'code'
      ? 'The code is not right or was used already, or the email or password before it was not. Try the next code, or start again.'
      : 'That passkey was not accepted, or the email or password before it was not. Try again, use a code, or start again.',
  );

const NO_ORACLE =
  'An unknown email, a wrong password, a locked or a disabled account get the answer a right password gets; only the second factor refuses.';

/**
 * Signing in: the password, then a second factor (a TOTP code, a recovery code or a passkey).
 * Every answer of a sign-in that cannot succeed has the shape, status and cookie of one that can.
 */
export function signInRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  const { signIn, passkeys } = ctx.services.console;

  app.post(
    '/console/api/login',
    {
      schema: {
        operationId: 'signInWithPassword',
        summary: 'Sign in, step one: the password',
        description: `Sets the session cookie of a half-open session, which owes a second factor (\`next: totp\`) or its enrolment (\`next: enroll\`). ${NO_ORACLE}`,
        security: [],
        body: Type.Object(
          { email: Email, password: Password },
          { additionalProperties: false, examples: [{ email: 'ada@example.com', password: 'correct horse battery staple' }] },
        ),
        response: {
          200: Type.Object(
            {
              next: Type.Union([Type.Literal('totp'), Type.Literal('enroll')], {
                description: '`totp`: send a second factor; `enroll`: set up TOTP first.',
              }),
              csrfToken: Type.String({ description: 'Send it as `X-CSRF-Token` with the next step.' }),
            },
            { examples: [{ next: 'totp', csrfToken: 'Jx1r0Vb3k9YwQm2tZ8cN5aH7pL4sE6dF0gU1iO3nM2q' }] },
          ),
          ...problems('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const r = await signIn.login(request.body.email, request.body.password, request.ip, request.headers['user-agent']);
      if (!r.ok) throw new TesseraError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again later.');
      setSessionCookie(request, reply, r.token, ctx.services.console.sessions.halfSessionMs / 1000);
      return { next: r.next, csrfToken: csrfTokenFor(r.token) };
    },
  );

  app.post(
    '/console/api/login/second-factor',
    {
      config: { consoleSession: 'half' },
      schema: {
        operationId: 'signInWithSecondFactor',
        summary: 'Sign in, step two: a TOTP code or a recovery code',
        description:
          'Replaces the half-open session with a full one under a new cookie. A wrong code, a code used before, and any code after a wrong password get one answer (401).',
        body: Type.Object(
          {
            code: Type.Optional(TotpCode),
            recoveryCode: Type.Optional(Type.String({ maxLength: 64, description: 'One of the recovery codes, used once.' })),
          },
          { additionalProperties: false, examples: [{ code: '492039' }, { recoveryCode: 'k2mf-9vqa-x7re-4tnb' }] },
        ),
        response: { 200: SessionAnswer },
      },
    },
    async (request, reply) => {
      const token = await signIn.secondFactor(halfSession(request).token, request.body, request.ip);
      if (token === undefined) throw notSignedIn('code');
      return signedIn(ctx, request, reply, token);
    },
  );

  app.post(
    '/console/api/login/passkey/options',
    {
      config: { consoleSession: 'half' },
      schema: {
        operationId: 'getPasskeySignInOptions',
        summary: 'Sign in, step two with a passkey: the challenge',
        description:
          'WebAuthn options for `navigator.credentials.get`. They name no credential, so they are the same whether the password was right or not, and whether the user has a passkey.',
        response: { 200: PasskeyRequestOptions },
      },
    },
    async (request) => {
      const ready = await signIn.secondFactorSession(halfSession(request).token, request.ip);
      // A decoy gets a challenge too, of the same shape: whether one is offered says nothing.
      return passkeys.loginOptions(ready ?? 'decoy', relyingParty(ctx, request));
    },
  );

  app.post(
    '/console/api/login/passkey/verify',
    {
      config: { consoleSession: 'half' },
      schema: {
        operationId: 'signInWithPasskey',
        summary: 'Sign in, step two with a passkey: the assertion',
        description: 'Replaces the half-open session with a full one under a new cookie, as a TOTP code does.',
        body: Type.Object({ response: Credential }, { additionalProperties: false, examples: [{ response: CREDENTIAL_EXAMPLE }] }),
        response: { 200: SessionAnswer },
      },
    },
    async (request, reply) => {
      const ready = await signIn.secondFactorSession(halfSession(request).token, request.ip);
      const token = await passkeys.login(ready ?? 'decoy', relyingParty(ctx, request), request.body.response, request.ip);
      if (token === undefined) throw notSignedIn('passkey');
      return signedIn(ctx, request, reply, token);
    },
  );
}
