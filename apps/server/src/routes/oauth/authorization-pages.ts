import type { AuthorizationRequest, AuthorizationServer, AuthorizationStep, WorkspaceBranding } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendBranded } from './branded-page.js';
import type { Issuer } from './form-endpoint.js';
import { consentPage, errorPage, secondFactorPage, sendPage, sendRedirect, signInPage } from './hosted-pages.js';
import { pageCsrf } from './page-forms.js';

/** A checked request, with the upstream providers its workspace offers on the sign-in page. */
type PageRequest = AuthorizationRequest & { upstream?: readonly { id: string; name: string }[] };

/** What the authorization endpoint's routes share: checking the request a query makes, and showing the step it is at. */
export interface AuthorizationPages {
  /** The brand of the request's workspace, for its pages. */
  brandOf(r: AuthorizationRequest): Promise<WorkspaceBranding | undefined>;
  /** Shows the page a step needs (sign-in, with the workspace's upstream providers; second factor; consent), or sends the browser on. */
  show(
    request: FastifyRequest,
    reply: FastifyReply,
    step: AuthorizationStep,
    query: string,
    brand: WorkspaceBranding | undefined,
    failed?: { email: string } | 'code' | 'passkey',
  ): FastifyReply;
  /**
   * The request a query makes; undefined once the answer that refuses it (a page, or a redirect to
   * the client) was sent. Never the reply: a reply is a thenable, so an async function returning it
   * would resolve to what the sent reply resolves to.
   */
  checked(query: string, reply: FastifyReply): Promise<AuthorizationRequest | undefined>;
}

export function authorizationPages(server: AuthorizationServer, issuer: Issuer): AuthorizationPages {
  const flow = server.authorization;
  return {
    brandOf: (r) => server.brandings.get(r.client.workspaceId),

    show(request, reply, step, query, brand, failed) {
      if (step.kind === 'redirect') return sendRedirect(reply, step.location);
      const csrf = pageCsrf(server.sessions, issuer, request, reply);
      const r: PageRequest = step.request;
      if (step.kind === 'second-factor')
        return sendBranded(
          reply,
          failed ? 401 : 200,
          secondFactorPage({
            app: r.client.name,
            query,
            csrf,
            failed: failed === 'passkey' ? failed : failed !== undefined,
            offer: step.offer,
          }),
          brand,
          r.redirectUri,
        );
      if (step.kind === 'sign-in') {
        // After a failed attempt the email typed stays in its field: only the password is asked again.
        const email = typeof failed === 'object' ? failed.email : undefined;
        const html = signInPage({
          app: r.client.name,
          query,
          csrf,
          email: email ?? r.loginHint,
          failed: failed !== undefined,
          providers: r.upstream ?? [],
        });
        return sendBranded(reply, failed ? 401 : 200, html, brand, r.redirectUri);
      }
      const html = consentPage({ app: r.client.name, email: step.user.email, scope: r.scope, query, csrf });
      return sendBranded(reply, 200, html, brand, r.redirectUri);
    },

    async checked(query, reply) {
      const params = new Map<string, string[]>();
      for (const [k, v] of new URLSearchParams(query)) params.set(k, [...(params.get(k) ?? []), v]);
      const check = await flow.check(params);
      // The steps carry the request they were given, so the sign-in page finds its providers on it.
      if (check.ok)
        return { ...check.request, upstream: await server.federation.providers(check.request.client.workspaceId) } as PageRequest;
      if ('page' in check) sendPage(reply, 400, errorPage(check.page));
      else sendRedirect(reply, flow.errorLocation(check.redirect, issuer()));
      return undefined;
    },
  };
}
