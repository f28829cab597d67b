import type { AuthorizationServer, DeviceStep, WorkspaceBranding } from '@tessera/core';
import { OAUTH_PATHS } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendBranded } from './branded-page.js';
import type { Issuer } from './form-endpoint.js';
import { deviceCodePage, deviceConfirmPage, deviceDonePage, secondFactorPage, signInPage } from './hosted-pages.js';
import { pageCsrf } from './page-forms.js';

/** What a device page is dressed in: its workspace's brand, and on the sign-in step its upstream providers. */
export type Dress = { brand?: WorkspaceBranding | undefined; providers: readonly { id: string; name: string }[] };

/** The device verification page's steps, as pages. */
export function devicePages(server: AuthorizationServer, issuer: Issuer) {
  const sessions = server.sessions;

  /** The brand of the workspace whose client a step is for (none before the code names one); its upstream providers for a sign-in. */
  const dress = async (step: DeviceStep): Promise<Dress> => {
    if (!('client' in step)) return { providers: [] };
    const providers = step.kind === 'sign-in' ? await server.federation.providers(step.client.workspaceId) : [];
    return { brand: await server.brandings.get(step.client.workspaceId), providers };
  };

  /** Shows the page a step needs. */
  function show(
    request: FastifyRequest,
    reply: FastifyReply,
    step: DeviceStep,
    { brand, providers }: Dress = { providers: [] },
    signInFailed?: { email: string } | 'code' | 'passkey',
  ): FastifyReply {
    const csrf = pageCsrf(sessions, issuer, request, reply);
    const send = (r: FastifyReply, status: number, html: string) => sendBranded(r, status, html, brand);
    switch (step.kind) {
      case 'enter-code':
        return send(
          reply,
          step.failed === 'throttled' ? 429 : step.failed === 'unknown' ? 400 : 200,
          deviceCodePage({ csrf, userCode: step.userCode, failed: step.failed }),
        );
      case 'sign-in':
        return send(
          reply,
          signInFailed ? 401 : 200,
          signInPage({
            app: step.client.name,
            query: step.userCode,
            csrf,
            failed: signInFailed !== undefined,
            email: typeof signInFailed === 'object' ? signInFailed.email : undefined,
            action: `${OAUTH_PATHS.deviceVerification}/sign-in`,
            carry: 'user_code',
            providers,
          }),
        );
      case 'second-factor':
        return send(
          reply,
          signInFailed ? 401 : 200,
          secondFactorPage({
            app: step.client.name,
            query: step.userCode,
            csrf,
            failed: signInFailed === 'passkey' ? signInFailed : signInFailed !== undefined,
            action: `${OAUTH_PATHS.deviceVerification}/second-factor`,
            carry: 'user_code',
            offer: step.offer,
          }),
        );
      case 'confirm':
        return send(
          reply,
          200,
          deviceConfirmPage({ app: step.client.name, email: step.user.email, scope: step.scope, userCode: step.userCode, csrf }),
        );
      case 'done':
        return send(reply, 200, deviceDonePage({ app: step.client.name, approved: step.approved }));
    }
  }

  return { dress, show };
}
