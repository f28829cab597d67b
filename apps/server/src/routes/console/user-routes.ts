import { problems } from '../../http/contract.js';
import { userView } from '../../http/console-views.js';
import { IdParams, Text, Type } from '../../http/schemas.js';
import { fullSession, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { ConsoleUser, ConsoleUserList, Email, Password, Role } from './console-schemas.js';

/** The workspace's console users, for those whose role may manage them (`users:manage`: owners). */
export function userRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get(
    '/console/api/users',
    {
      config: { consoleSession: 'full', consolePermission: 'users:manage' },
      schema: {
        operationId: 'listConsoleUsers',
        summary: "The workspace's console users",
        response: { 200: ConsoleUserList },
      },
    },
    async (request) => {
      const { user } = fullSession(request);
      return { items: (await ctx.services.console.users.list(user.workspaceId)).map(userView) };
    },
  );

  app.post(
    '/console/api/users',
    {
      config: { consoleSession: 'full', consolePermission: 'users:manage' },
      schema: {
        operationId: 'createConsoleUser',
        summary: 'Add a console user',
        description:
          'With a first password of at least 12 characters, to hand over; the user enrols a second factor at the first sign-in. 409 when the email is taken.',
        body: Type.Object(
          { email: Email, password: Password, role: Role, name: Type.Optional(Text({ maxLength: 200 })) },
          {
            additionalProperties: false,
            examples: [{ email: 'grace@example.com', password: 'a first passphrase to change', role: 'admin', name: 'Grace Hopper' }],
          },
        ),
        response: { 201: ConsoleUser, ...problems('CONFLICT', 'RATE_LIMITED') },
      },
    },
    async (request, reply) => {
      const signed = fullSession(request);
      const user = await ctx.services.console.users.create(userActor(request, signed), request.body);
      return reply.code(201).send(userView(user));
    },
  );

  app.patch(
    '/console/api/users/:id',
    {
      config: { consoleSession: 'full', consolePermission: 'users:manage' },
      schema: {
        operationId: 'updateConsoleUser',
        summary: 'Change a console user’s role, disable or enable them, or lift their lockout',
        description: 'A new role or disabling ends their sessions. Nobody can disable themselves or give up their own owner role (409).',
        params: IdParams('id'),
        body: Type.Object(
          { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), unlock: Type.Optional(Type.Literal(true)) },
          { additionalProperties: false, minProperties: 1, examples: [{ role: 'viewer' }, { unlock: true }] },
        ),
        response: { 200: ConsoleUser, ...problems('NOT_FOUND', 'CONFLICT') },
      },
    },
    async (request) => {
      const signed = fullSession(request);
      return userView(await ctx.services.console.users.update(userActor(request, signed), request.params.id, request.body));
    },
  );
}
