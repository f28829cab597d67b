import {
  OAUTH_PATHS,
  relyingPartyOf,
  TesseraError,
  type AuthorizationServer,
  type SecondFactorOffer,
  type SignedInUser,
  type WorkspaceBranding,
} from '@tessera/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../http/schemas.js';
import { sendBranded } from './branded-page.js';
import { accountForm, BACK, CODES_THROTTLED, COMMON, Html, THROTTLED } from './account-schemas.js';
import { accountPage, totpEnrolmentPage, type AccountNotice } from './account-pages.js';
import { accountPasskeyRoutes, type OnSignedForm } from './account-passkeys.js';
import { Param, type Issuer } from './form-endpoint.js';
import { errorPage, readCookie, secondFactorPage, sendPage, sendRedirect, setCookie, signedOutPage, signInPage } from './hosted-pages.js';
import { formHandler, pageCsrf, pageErrorHandler, SESSION_S, signInAnswer, throttledPage } from './page-forms.js';
import { refusedAs, SECOND_FACTOR_FIELDS, secondFactorAnswer } from './passkey-script.js';

const PATH = OAUTH_PATHS.account;
const WORKSPACE = /^ws_[0-9A-Za-z_]{1,60}$/;
const NOTICES = new Set(['revoked', 'enrolled', 'removed', 'passkey_added', 'passkey_removed']);

/**
 * The end user's account page: signed in through the hosted sign-in (and second factor), they see
 * and revoke the apps they allowed, enrol or remove a TOTP second factor, add or remove passkeys
 * (account-passkeys.ts), and sign out. Pages and forms like the authorization endpoint's: strict
 * CSP (no script but the passkey ceremony's, by hash), CSRF tokens, never framed.
 */
export function accountRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const { account, sessions } = server;
  const cookie = (request: FastifyRequest) => readCookie(request, issuer(), 'session');
  const onForm = formHandler(sessions, issuer);

  const brandOf = (workspaceId: string) => server.brandings.get(workspaceId);

  /** What a browser without a full sign-in sees: the sign-in page (with the workspace's upstream providers), or the second-factor page. */
  function signInFirst(
    request: FastifyRequest,
    reply: FastifyReply,
    workspace: string,
    brand: WorkspaceBranding,
    offer?: SecondFactorOffer,
    failed?: { email: string } | 'code' | 'passkey',
    providers: readonly { id: string; name: string }[] = [],
  ) {
    const csrf = pageCsrf(sessions, issuer, request, reply);
    const status = failed === undefined ? 200 : 401;
    if (offer !== undefined)
      return sendBranded(
        reply,
        status,
        secondFactorPage({
          app: 'your account',
          query: workspace,
          csrf,
          failed: failed === 'passkey' ? failed : failed !== undefined,
          action: `${PATH}/second-factor`,
          carry: 'workspace',
          offer,
        }),
        brand,
      );
    const email = typeof failed === 'object' ? failed.email : undefined;
    return sendBranded(
      reply,
      status,
      signInPage({
        app: 'your account',
        query: workspace,
        csrf,
        email,
        failed: failed !== undefined,
        action: `${PATH}/sign-in`,
        carry: 'workspace',
        providers,
      }),
      brand,
    );
  }

  async function show(request: FastifyRequest, reply: FastifyReply, signed: SignedInUser, notice?: AccountNotice) {
    const csrf = pageCsrf(sessions, issuer, request, reply);
    const apps = await account.apps(signed, request.ip);
    const passkeys = await account.passkeys.list(signed.user);
    const html = accountPage({ email: signed.user.email, apps, totpEnrolled: signed.user.totpSecret !== null, passkeys, csrf, notice });
    return sendBranded(reply, notice === 'code' ? 401 : 200, html, await brandOf(signed.user.workspaceId));
  }

  const onSignedForm: OnSignedForm = (handle) =>
    onForm(async (fields, request, reply) => {
      const signed = await account.current(cookie(request));
      if (signed === undefined || signed.secondFactorDue) return sendRedirect(reply, PATH);
      return handle({ fields, signed }, request, reply);
    });

  return async (app) => {
    app.setErrorHandler(pageErrorHandler);

    app.get(
      PATH,
      {
        schema: {
          operationId: 'accountPage',
          tags: ['oauth'],
          summary: 'The end user’s account page: the apps they allowed, their second factor, sign out',
          description: 'Without a sign-in, the sign-in page (for the workspace named, else the default workspace).',
          security: [],
          querystring: Type.Object({
            workspace: Param('The workspace whose users sign in here (default `ws_default`).'),
            notice: Param('What was just done.'),
          }),
          response: {
            200: Html('The account page, or the sign-in or second-factor page.'),
            400: Html('The workspace is not valid.'),
            500: COMMON[500],
          },
        },
      },
      async (request, reply) => {
        const query = request.query as { workspace?: unknown; notice?: unknown };
        const workspace = typeof query.workspace === 'string' ? query.workspace : 'ws_default';
        if (!WORKSPACE.test(workspace)) return sendPage(reply, 400, errorPage('This workspace is not valid.'));
        const signed = await account.current(cookie(request));
        if (signed === undefined || signed.secondFactorDue) {
          const shown = signed?.session.workspaceId ?? workspace;
          const offer = signed === undefined ? undefined : await account.secondFactorOffer(signed, relyingPartyOf(issuer()));
          const providers = offer === undefined ? await server.federation.providers(shown) : [];
          return signInFirst(request, reply, shown, await brandOf(shown), offer, undefined, providers);
        }
        const notice = typeof query.notice === 'string' && NOTICES.has(query.notice) ? (query.notice as AccountNotice) : undefined;
        return show(request, reply, signed, notice);
      },
    );

    app.post(
      `${PATH}/sign-in`,
      accountForm(
        'accountSignIn',
        'The account page’s sign-in form',
        { workspace: Type.String(), email: Type.String(), password: Type.String() },
        { csrf: 'Zr3…', workspace: 'ws_default', email: 'ada@example.com', password: 'correct horse battery staple' },
        { 303: BACK, 401: Html('The sign-in page again.'), 429: THROTTLED },
      ),
      onForm(async (fields, request, reply) => {
        const workspace = fields.get('workspace') ?? '';
        if (!WORKSPACE.test(workspace)) return sendPage(reply, 400, errorPage('This workspace is not valid.'));
        const email = fields.get('email') ?? '';
        const signed = await account.signIn(workspace, { email, password: fields.get('password') ?? '', ip: request.ip });
        const brand = await brandOf(workspace);
        const providers = signed.ok ? [] : await server.federation.providers(workspace);
        return signInAnswer(request, reply, issuer, signed.ok ? { ...signed, step: PATH } : signed, {
          refused: () => signInFirst(request, reply, workspace, brand, undefined, { email }, providers),
          next: (to) => sendRedirect(reply, to),
        });
      }),
    );

    app.post(
      `${PATH}/second-factor`,
      accountForm(
        'accountSecondFactor',
        'The account page’s second-factor form',
        { workspace: Type.String(), ...SECOND_FACTOR_FIELDS },
        { csrf: 'Zr3…', workspace: 'ws_default', code: '123456' },
        { 303: BACK, 401: Html('The second-factor page again: the code or passkey is not right.'), 429: CODES_THROTTLED },
      ),
      onForm(async (fields, request, reply) => {
        const signed = await account.current(cookie(request));
        if (signed === undefined || !signed.secondFactorDue) return sendRedirect(reply, PATH);
        const answer = secondFactorAnswer(fields, issuer());
        const verified = await account.verifySecondFactor(signed, answer, request.ip);
        const brand = await brandOf(signed.session.workspaceId);
        const offer = verified.ok || verified.throttled ? undefined : await account.secondFactorOffer(signed, relyingPartyOf(issuer()));
        return signInAnswer(request, reply, issuer, verified.ok ? { ...verified, step: PATH } : verified, {
          refused: () => signInFirst(request, reply, signed.session.workspaceId, brand, offer, refusedAs(answer)),
          next: (to) => sendRedirect(reply, to),
        });
      }),
    );

    app.post(
      `${PATH}/apps/revoke`,
      accountForm(
        'accountRevokeApp',
        'Revoke an app’s access: its consent is forgotten and its refresh tokens stop working',
        { client_id: Type.String() },
        { csrf: 'Zr3…', client_id: 'cli_0Hq4C7d8E9f0G1h2I3j4K5' },
        { 303: BACK, 404: Html('The user has no grant for that app.') },
      ),
      onSignedForm(async (found, request, reply) => {
        await account.revoke(found.signed, (found.fields.get('client_id') ?? '').slice(0, 64), request.ip);
        return sendRedirect(reply, `${PATH}?notice=revoked`);
      }),
    );

    app.post(
      `${PATH}/totp`,
      accountForm(
        'accountTotpBegin',
        'Start enrolling an authenticator app: a new secret, shown as text and as an otpauth URI',
        {},
        { csrf: 'Zr3…' },
        { 200: Html('The enrolment page.'), 409: Html('A second factor is enrolled already.') },
      ),
      onSignedForm(async (found, request, reply) => {
        const brand = await brandOf(found.signed.user.workspaceId);
        const offered = await account.totp.begin(found.signed, brand.name ?? 'Tessera');
        return sendBranded(reply, 200, totpEnrolmentPage({ ...offered, csrf: pageCsrf(sessions, issuer, request, reply) }), brand);
      }),
    );

    app.post(
      `${PATH}/totp/confirm`,
      accountForm(
        'accountTotpConfirm',
        'Confirm the enrolment with a code from the app',
        { code: Type.String() },
        { csrf: 'Zr3…', code: '123456' },
        {
          303: BACK,
          401: Html('The enrolment page again: the code is not right.'),
          409: Html('No enrolment was started.'),
          429: THROTTLED,
        },
      ),
      onSignedForm(async (found, request, reply) => {
        const confirmed = await account.totp.confirm(found.signed, found.fields.get('code') ?? '', request.ip);
        if (confirmed.ok) {
          setCookie(request, reply, issuer(), 'session', confirmed.cookie, SESSION_S);
          return sendRedirect(reply, `${PATH}?notice=enrolled`);
        }
        if (confirmed.throttled) return throttledPage(reply);
        const brand = await brandOf(found.signed.user.workspaceId);
        const offered = await account.totp.offered(found.signed, brand.name ?? 'Tessera');
        if (offered === undefined) throw new TesseraError('CONFLICT', 'Start the enrolment again.');
        const html = totpEnrolmentPage({ ...offered, csrf: pageCsrf(sessions, issuer, request, reply), failed: true });
        return sendBranded(reply, 401, html, brand);
      }),
    );

    app.post(
      `${PATH}/totp/remove`,
      accountForm(
        'accountTotpRemove',
        'Remove the second factor, given a current code',
        { code: Type.String() },
        { csrf: 'Zr3…', code: '123456' },
        { 303: BACK, 401: Html('The account page again: the code is not right.'), 429: CODES_THROTTLED },
      ),
      onSignedForm(async (found, request, reply) => {
        const removed = await account.totp.remove(found.signed, found.fields.get('code') ?? '', request.ip);
        if (removed.ok) return sendRedirect(reply, `${PATH}?notice=removed`);
        return removed.throttled ? throttledPage(reply) : show(request, reply, found.signed, 'code');
      }),
    );

    accountPasskeyRoutes(app, { server, issuer, brandOf, onSignedForm });

    app.post(
      `${PATH}/sign-out`,
      accountForm('accountSignOut', 'Sign out: every sign-in of the user ends', {}, { csrf: 'Zr3…' }, { 200: Html('Signed out.') }),
      onForm(async (_fields, request, reply) => {
        await server.logout.signOut({ client: undefined, postLogoutRedirectUri: undefined, state: undefined }, cookie(request), request.ip);
        setCookie(request, reply, issuer(), 'session', '', 0);
        return sendPage(reply, 200, signedOutPage());
      }),
    );
  };
}
