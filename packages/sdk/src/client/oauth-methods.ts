import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for oAuth 2.0 clients and signing keys: each a shorthand for one operation.

/** OAuth 2.0 clients and the signing keys of access tokens. */
export const oauthMethods = (c: OperationCaller) => ({
  createClient: (body: OperationBody<'POST /v1/oauth/clients'>, o?: CallOptions) => c.call('POST /v1/oauth/clients', { body }, o),
  getClient: (clientId: string, o?: CallOptions) => c.call('GET /v1/oauth/clients/{clientId}', { path: { clientId } }, o),
  listClients: (query: OperationQuery<'GET /v1/oauth/clients'> = {}, o?: CallOptions) => c.call('GET /v1/oauth/clients', { query }, o),
  updateClient: (clientId: string, body: OperationBody<'PATCH /v1/oauth/clients/{clientId}'>, o?: CallOptions) =>
    c.call('PATCH /v1/oauth/clients/{clientId}', { path: { clientId }, body }, o),
  deleteClient: (clientId: string, o?: CallOptions) => c.call('DELETE /v1/oauth/clients/{clientId}', { path: { clientId } }, o),
  rotateClientSecret: (clientId: string, body: OperationBody<'POST /v1/oauth/clients/{clientId}/rotate-secret'> = {}, o?: CallOptions) =>
    c.call('POST /v1/oauth/clients/{clientId}/rotate-secret', { path: { clientId }, body }, o),
  listSigningKeys: (o?: CallOptions) => c.call('GET /v1/oauth/signing-keys', {}, o),
  /** Emergency retirement: the key leaves the JWKS, its tokens stop verifying, a successor signs. */
  retireSigningKey: (kid: string, body: OperationBody<'POST /v1/oauth/signing-keys/{kid}/retire'> = {}, o?: CallOptions) =>
    c.call('POST /v1/oauth/signing-keys/{kid}/retire', { path: { kid }, body }, o),
  /** Registers an upstream OpenID Provider for end users to sign in with, once its discovery document reads right. */
  createUpstreamProvider: (body: OperationBody<'POST /v1/oauth/upstream-providers'>, o?: CallOptions) =>
    c.call('POST /v1/oauth/upstream-providers', { body }, o),
  listUpstreamProviders: (o?: CallOptions) => c.call('GET /v1/oauth/upstream-providers', {}, o),
  getUpstreamProvider: (providerId: string, o?: CallOptions) =>
    c.call('GET /v1/oauth/upstream-providers/{providerId}', { path: { providerId } }, o),
  /** Removes a provider; the accounts linked to it are unlinked, the users stay. */
  deleteUpstreamProvider: (providerId: string, o?: CallOptions) =>
    c.call('DELETE /v1/oauth/upstream-providers/{providerId}', { path: { providerId } }, o),
});
