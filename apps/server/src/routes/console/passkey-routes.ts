import { TesseraError } from '@tessera/core';
import { problems } from '../../http/contract.js';
import { passkeyView } from '../../http/console-views.js';
import { IdParams, Text, Type } from '../../http/schemas.js';
import { fullSession, relyingParty, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { Credential, CREDENTIAL_EXAMPLE, Passkey, PasskeyCreationOptions, PasskeyList } from './console-schemas.js';

/** The signed-in user's passkeys: listed, registered (a WebAuthn ceremony of two calls) and removed. */
export function passkeyRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get(
    '/console/api/passkeys',
    {
      config: { consoleSession: 'full' },
      schema: { operationId: 'listPasskeys', summary: 'Your passkeys', response: { 200: PasskeyList } },
    },
    async (request) => ({ items: (await ctx.services.console.passkeys.list(fullSession(request).user.id)).map(passkeyView) }),
  );

  app.post(
    '/console/api/passkeys/registration/options',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'getPasskeyRegistrationOptions',
        summary: 'Register a passkey, step one: the challenge',
        description: 'WebAuthn options for `navigator.credentials.create`. 409 when the user has 20 passkeys already.',
        response: { 200: PasskeyCreationOptions, ...problems('CONFLICT') },
      },
    },
    async (request) => ctx.services.console.passkeys.registrationOptions(fullSession(request), relyingParty(ctx, request)),
  );

  app.post(
    '/console/api/passkeys/registration/verify',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'registerPasskey',
        summary: 'Register a passkey, step two: the new credential',
        description:
          'Keeps the credential’s public key under a name. 400 when it does not verify against the challenge; 409 when it is registered already.',
        body: Type.Object(
          { response: Credential, name: Text({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false, examples: [{ response: CREDENTIAL_EXAMPLE, name: 'Laptop' }] },
        ),
        response: { 201: Passkey, ...problems('CONFLICT') },
      },
    },
    async (request, reply) => {
      const signed = fullSession(request);
      const added = await ctx.services.console.passkeys.register(
        userActor(request, signed),
        signed,
        relyingParty(ctx, request),
        request.body.response,
        request.body.name.trim() || 'Passkey',
      );
      if (added === undefined) throw new TesseraError('VALIDATION_FAILED', 'The passkey could not be verified; start again.');
      return reply.code(201).send(passkeyView(added));
    },
  );

  app.delete(
    '/console/api/passkeys/:id',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'deletePasskey',
        summary: 'Remove one of your passkeys',
        params: IdParams('id'),
        response: { 204: Type.Null({ description: 'Removed.' }), ...problems('NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const signed = fullSession(request);
      await ctx.services.console.passkeys.remove(userActor(request, signed), signed, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
