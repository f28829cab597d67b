import type { EndUserRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { listPage } from '../http/cursor.js';
import { Cursor, Limit, Nullable, RefTo, Time, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';

const USER_ID = 'eu_0Hq4C7d8E9f0G1h2I3j4K5';

const example = {
  userId: USER_ID,
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  disabled: false,
  secondFactor: false,
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
  lastSignInAt: null,
};

const UserShape = Type.Object(
  {
    userId: Type.String(),
    email: Type.String(),
    emailVerified: Type.Boolean({ description: 'Answered as `email_verified` to apps.' }),
    name: Nullable(Type.String()),
    disabled: Type.Boolean({ description: 'A disabled user cannot sign in, and their refresh tokens stop working.' }),
    secondFactor: Type.Boolean({
      description: 'Whether the user enrolled a TOTP second factor or registered a passkey (from their account page).',
    }),
    createdAt: Time,
    updatedAt: Time,
    lastSignInAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'EndUser', description: 'A person who signs in to the workspace’s apps; the password is never shown.', examples: [example] },
);
const EndUser = RefTo(UserShape);

const CreateBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, description: 'Unique in the workspace; kept lower-cased.' }),
    password: Type.String({ minLength: 12, maxLength: 1024, description: 'At least 12 characters; kept as an argon2id hash.' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    emailVerified: Type.Optional(Type.Boolean({ description: 'Whether you checked the email belongs to the user. Default false.' })),
  },
  {
    additionalProperties: false,
    examples: [{ email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace', emailVerified: true }],
  },
);
const params = Type.Object({ userId: Type.String({ pattern: '^eu_[0-9A-Za-z]{22}$' }) });
const ListQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });
const UserList = Type.Object(
  { items: Type.Array(EndUser), nextCursor: Nullable(Type.String()) },
  { examples: [{ items: [example], nextCursor: null }] },
);

function userView(u: EndUserRecord & { passkeys: number }) {
  return {
    userId: u.id,
    email: u.email,
    emailVerified: u.emailVerified,
    name: u.name,
    disabled: u.disabledAt !== null,
    secondFactor: u.totpSecret !== null || u.passkeys > 0,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
    lastSignInAt: u.lastSignInAt === null ? null : iso(u.lastSignInAt),
  };
}

/**
 * The workspace's end users (`end_users:read`, `end_users:manage`): the people its apps sign in
 * through the authorization endpoint. Not the console's users (`/v1/console/users`).
 */
export function endUserRoutes(services: Services): FastifyPluginAsync {
  const { users } = services.oauth;
  return operations({ tags: ['end users'], schemas: [UserShape] }, (route) => {
    const read = { permission: 'end_users:read' as const };
    const manage = { permission: 'end_users:manage' as const };
    /** A user as the API shows it: their passkeys count as a second factor. */
    const shown = async (user: Promise<EndUserRecord>) => userView(await users.withPasskeys(await user));

    route.post(
      '/v1/users',
      {
        ...manage,
        idempotent: true,
        operationId: 'createEndUser',
        summary: 'Create an end user',
        body: CreateBody,
        response: { 201: EndUser, ...problems('CONFLICT') },
      },
      async (request, reply) => reply.code(201).send(await shown(users.create(actorOf(request), request.body))),
    );

    route.get(
      '/v1/users',
      {
        ...read,
        operationId: 'listEndUsers',
        summary: 'List end users',
        querystring: ListQuery,
        response: { 200: UserList },
      },
      async (request) =>
        listPage(
          request.query,
          'endUser',
          (limit, after) => users.list(actorOf(request), { limit, after }),
          async (page) => (await users.allWithPasskeys(page)).map(userView),
        ),
    );

    route.get(
      '/v1/users/:userId',
      {
        ...read,
        operationId: 'getEndUser',
        summary: 'Get an end user',
        params,
        response: { 200: EndUser, ...problems('NOT_FOUND') },
      },
      async (request) => shown(users.get(actorOf(request), request.params.userId)),
    );

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      route.post(
        `/v1/users/:userId/${verb}`,
        {
          ...manage,
          operationId: `${verb}EndUser`,
          summary: disabled ? 'Disable an end user: no sign-in, no refresh' : 'Enable an end user again',
          params,
          response: { 200: EndUser, ...problems('NOT_FOUND') },
        },
        async (request) => shown(users.setDisabled(actorOf(request), request.params.userId, disabled)),
      );
    }

    route.delete(
      '/v1/users/:userId/second-factor',
      {
        ...manage,
        operationId: 'resetEndUserSecondFactor',
        summary: 'Reset an end user’s second factor (TOTP and passkeys): they sign in with their password until they enrol again',
        params,
        response: { 200: EndUser, ...problems('NOT_FOUND') },
      },
      async (request) => shown(users.resetSecondFactor(actorOf(request), request.params.userId)),
    );

    route.remove(
      '/v1/users/:userId',
      {
        ...manage,
        operationId: 'deleteEndUser',
        summary: 'Delete an end user and their consents; their refresh tokens stop working',
        params,
        response: problems('NOT_FOUND'),
      },
      (request) => users.remove(actorOf(request), request.params.userId),
    );
  });
}
