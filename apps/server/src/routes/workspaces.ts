import { isId, TesseraError, type WorkspaceRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { pageOf } from '../http/cursor.js';
import { Answer, IdParams } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import {
  CreatedWorkspace,
  CreateWorkspaceBody,
  ListWorkspacesQuery,
  RenameWorkspaceBody,
  Workspace,
  WORKSPACE_SCHEMAS,
  WorkspaceList,
} from './workspace-schemas.js';

const workspaceView = (ws: WorkspaceRecord) => ({ id: ws.id, name: ws.name, createdAt: iso(ws.createdAt) });

/** A list cursor: the last workspace id of a page (the first workspace's id, `ws_default`, is not a generated one). */
function decodeWorkspaceCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id !== 'ws_default' && !isId('workspace', id)) throw new TesseraError('VALIDATION_FAILED', 'cursor is not valid');
  return id;
}

/**
 * Workspaces: created (permission `workspaces:manage`, with an optional first root key), listed,
 * read and renamed. A caller sees only the workspaces it reaches; any other is NOT_FOUND.
 */
export function workspaceRoutes(services: Services): FastifyPluginAsync {
  const { workspaces } = services;
  return operations({ tags: ['workspaces'], schemas: WORKSPACE_SCHEMAS }, (route) => {
    route.post(
      '/v1/workspaces',
      {
        permission: 'workspaces:manage',
        idempotent: true,
        operationId: 'createWorkspace',
        summary: 'Create a workspace, and optionally its first root key',
        description:
          'The creating root key reaches the new workspace from then on. A first root key, if asked for, is in this answer only.',
        body: CreateWorkspaceBody,
        response: { 201: Answer('The new workspace, and its first root key when asked for.', CreatedWorkspace), ...problems() },
      },
      async (request, reply) => {
        const made = await workspaces.create(actorOf(request), request.rootKey!, request.body);
        return reply
          .code(201)
          .send({ workspace: workspaceView(made.workspace), ...(made.rootKey !== undefined && { rootKey: made.rootKey }) });
      },
    );

    route.get(
      '/v1/workspaces',
      {
        permission: 'workspaces:read',
        operationId: 'listWorkspaces',
        summary: 'List the workspaces the caller reaches',
        querystring: ListWorkspacesQuery,
        response: { 200: Answer('A page of workspaces.', WorkspaceList) },
      },
      async (request) => {
        const { limit = 100, cursor } = request.query;
        const after = cursor === undefined ? undefined : decodeWorkspaceCursor(cursor);
        const items = await workspaces.list(request.rootKey!, { after, limit: limit + 1 });
        const { page, nextCursor } = pageOf(items, limit);
        return { items: page.map(workspaceView), nextCursor };
      },
    );

    route.get(
      '/v1/workspaces/:id',
      {
        permission: 'workspaces:read',
        operationId: 'getWorkspace',
        summary: 'Get a workspace the caller reaches',
        params: IdParams('id'),
        response: { 200: Answer('The workspace.', Workspace), ...problems('NOT_FOUND') },
      },
      async (request) => workspaceView(await workspaces.get(request.rootKey!, request.params.id)),
    );

    route.patch(
      '/v1/workspaces/:id',
      {
        permission: 'workspaces:manage',
        idempotent: true,
        operationId: 'renameWorkspace',
        summary: 'Rename a workspace the caller reaches',
        params: IdParams('id'),
        body: RenameWorkspaceBody,
        response: { 200: Answer('The renamed workspace.', Workspace), ...problems('NOT_FOUND') },
      },
      async (request) => workspaceView(await workspaces.rename(actorOf(request), request.rootKey!, request.params.id, request.body.name)),
    );
  });
}
