import { problems } from '../../http/contract.js';
import { userView } from '../../http/console-views.js';
import { IdParams, Text, Type } from '../../http/schemas.js';
import { fullSession, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { consoleReachOf } from '@tessera/core';
import { ConsoleUser, ConsoleUserList, Email, OtherWorkspaceIds, Password, Role } from './console-schemas.js';

/** The workspace's console users, for those whose role may manage them (`users:manage`: owners). */
export function userRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get(
    '/console/api/users',
    {
      config: { consoleSession: 'full', consolePermission: 'users:manage' },
      schema: {
        operationId: 'listConsoleUsers',
        summary: "The workspace's console users",
        description: 'Those homed in the workspace the session acts in, and apart those homed elsewhere who reach it.',
        response: { 200: ConsoleUserList },
      },
    },
    async (request) => {
      const { user } = fullSession(request);
      const users = ctx.services.console.users;
      const [items, reaching] = await Promise.all([users.list(user.workspaceId), users.reaching(user.workspaceId)]);
      return { items: items.map(userView), reaching: reaching.map(userView) };
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
          'In the workspace the session acts in, with a first password of at least 12 characters, to hand over; the user enrols a second factor at the first sign-in. 409 when the email is taken; 403 for a workspace you do not reach.',
        body: Type.Object(
          {
            email: Email,
            password: Password,
            role: Role,
            name: Type.Optional(Text({ maxLength: 200 })),
            otherWorkspaceIds: Type.Optional(OtherWorkspaceIds),
          },
          {
            additionalProperties: false,
            examples: [{ email: 'grace@example.com', password: 'a first passphrase to change', role: 'admin', name: 'Grace Hopper' }],
          },
        ),
        response: { 201: ConsoleUser, ...problems('CONFLICT', 'RATE_LIMITED', 'NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const signed = fullSession(request);
      const user = await ctx.services.console.users.create(userActor(request, signed), request.body, consoleReachOf(signed.user));
      return reply.code(201).send(userView(user));
    },
  );

  app.patch(
    '/console/api/users/:id',
    {
      config: { consoleSession: 'full', consolePermission: 'users:manage' },
      schema: {
        operationId: 'updateConsoleUser',
        summary: 'Change a console user’s role or workspaces, disable or enable them, or lift their lockout',
        description:
          'A new role or disabling ends their sessions. Nobody can disable themselves or give up their own owner role (409). `otherWorkspaceIds` sets the other workspaces they reach: only ones you reach (403); those you do not reach stay.',
        params: IdParams('id'),
        body: Type.Object(
          {
            role: Type.Optional(Role),
            disabled: Type.Optional(Type.Boolean()),
            unlock: Type.Optional(Type.Literal(true)),
            otherWorkspaceIds: Type.Optional(OtherWorkspaceIds),
          },
          {
            additionalProperties: false,
            minProperties: 1,
            examples: [{ role: 'viewer' }, { unlock: true }, { otherWorkspaceIds: ['ws_2x8Kq1VvY3m0'] }],
          },
        ),
        response: { 200: ConsoleUser, ...problems('NOT_FOUND', 'CONFLICT') },
      },
    },
    async (request) => {
      const signed = fullSession(request);
      const change = request.body;
      return userView(
        await ctx.services.console.users.update(userActor(request, signed), request.params.id, change, consoleReachOf(signed.user)),
      );
    },
  );
}
