import { OAUTH_PATHS, relyingPartyOf, type AuthorizationServer, type SignedInUser, type WorkspaceBranding } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../http/schemas.js';
import { passkeyRegistrationPage } from './account-pages.js';
import { accountForm, BACK, Html } from './account-schemas.js';
import { sendBranded } from './branded-page.js';
import type { Issuer } from './form-endpoint.js';
import { sendRedirect, setCookie } from './hosted-pages.js';
import { pageCsrf, SESSION_S } from './page-forms.js';
import { postedCredential } from './passkey-script.js';

const PATH = OAUTH_PATHS.account;

/** What the account page's routes lend its passkey forms. */
export interface AccountPasskeyContext {
  server: AuthorizationServer;
  issuer: Issuer;
  brandOf(workspaceId: string): Promise<WorkspaceBranding>;
  onSignedForm: OnSignedForm;
}

/** A form of a signed-in page: its fields and the user. */
export interface SignedForm {
  fields: Map<string, string>;
  signed: SignedInUser;
}

/** The handler of a signed-in page's form: `handle` gets the form and the user; without a full sign-in, back to the page. */
export type OnSignedForm = <T>(
  handle: (found: SignedForm, request: FastifyRequest, reply: FastifyReply) => Promise<T>,
) => (request: FastifyRequest, reply: FastifyReply) => Promise<T | FastifyReply>;

/**
 * The account page's passkeys: adding one (a name, then the WebAuthn ceremony on a page of its own,
 * bound to the issuer's host as the relying party) and removing one. Forms like the page's others.
 */
export function accountPasskeyRoutes(app: FastifyInstance, ctx: AccountPasskeyContext): void {
  const { server, issuer } = ctx;
  const passkeys = server.account.passkeys;
  const name = (fields: Map<string, string>) => (fields.get('name') ?? '').trim().slice(0, 100) || 'Passkey';

  /** The registration page: a new challenge, held for the user. */
  async function registration(request: FastifyRequest, reply: FastifyReply, signed: SignedInUser, named: string, failed?: boolean) {
    const brand = await ctx.brandOf(signed.user.workspaceId);
    const options = await passkeys.registrationOptions(signed, relyingPartyOf(issuer()), brand.name ?? 'Tessera');
    const html = passkeyRegistrationPage({ name: named, options, csrf: pageCsrf(server.sessions, issuer, request, reply), failed });
    return sendBranded(reply, failed ? 400 : 200, html, brand);
  }

  app.post(
    `${PATH}/passkeys`,
    accountForm(
      'accountPasskeyBegin',
      'Start adding a passkey: the page that asks the browser to make it',
      { name: Type.String() },
      { csrf: 'Zr3…', name: 'Laptop' },
      { 200: Html('The page that adds the passkey.'), 409: Html('The user has 20 passkeys already.') },
    ),
    ctx.onSignedForm(async (found, request, reply) => {
      return registration(request, reply, found.signed, name(found.fields));
    }),
  );

  app.post(
    `${PATH}/passkeys/confirm`,
    accountForm(
      'accountPasskeyConfirm',
      'Add the passkey the browser made: its public key is kept under the name',
      { name: Type.String(), credential: Type.String({ description: 'The new credential (WebAuthn `PublicKeyCredential` as JSON).' }) },
      { csrf: 'Zr3…', name: 'Laptop', credential: '{"id":"…","rawId":"…","type":"public-key","response":{…}}' },
      {
        303: BACK,
        400: Html('The page again: the passkey did not verify against its challenge and this site.'),
        409: Html('The passkey is registered already.'),
      },
    ),
    ctx.onSignedForm(async (found, request, reply) => {
      const { fields, signed } = found;
      const credential = postedCredential(fields.get('credential') ?? '');
      const added = await passkeys.register(signed, relyingPartyOf(issuer()), credential, name(fields), request.ip);
      if (added === undefined) return registration(request, reply, signed, name(fields), true);
      setCookie(request, reply, issuer(), 'session', added.cookie, SESSION_S);
      return sendRedirect(reply, `${PATH}?notice=passkey_added`);
    }),
  );

  app.post(
    `${PATH}/passkeys/remove`,
    accountForm(
      'accountPasskeyRemove',
      'Remove one of the user’s passkeys',
      { id: Type.String() },
      { csrf: 'Zr3…', id: 'pk_0Hq4C7d8E9f0G1h2I3j4K5' },
      { 303: BACK, 404: Html('The user has no passkey by that id.') },
    ),
    ctx.onSignedForm(async (found, request, reply) => {
      await passkeys.remove(found.signed, (found.fields.get('id') ?? '').slice(0, 64), request.ip);
      return sendRedirect(reply, `${PATH}?notice=passkey_removed`);
    }),
  );
}
