import { EXAMPLE, Cursor, Limit, Page, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of workspaces: the unit every record belongs to (see docs/workspaces.md). */

const Name = Text({ minLength: 1, maxLength: 200 });

const workspaceExample = { id: EXAMPLE.workspaceId, name: 'default', createdAt: '2026-03-01T12:00:00.000Z' };

const WorkspaceShape = Type.Object(
  { id: Type.String(), name: Type.String(), createdAt: Time },
  {
    $id: 'Workspace',
    description: 'A workspace: its keyspaces, keys, secrets, clients and audit entries are its own.',
    examples: [workspaceExample],
  },
);
export const Workspace = RefTo(WorkspaceShape);

export const CreateWorkspaceBody = Type.Object(
  {
    name: Name,
    rootKey: Type.Optional(
      Type.Object(
        {
          name: Name,
          permissions: Type.Array(Type.String({ minLength: 1, maxLength: 230 }), {
            minItems: 1,
            maxItems: 64,
            description: 'At most what the creating root key holds.',
          }),
        },
        { additionalProperties: false, description: 'A first root key for the new workspace, shown once in the answer.' },
      ),
    ),
  },
  { additionalProperties: false, examples: [{ name: 'payments team', rootKey: { name: 'payments admin', permissions: ['*'] } }] },
);

export const CreatedWorkspace = Type.Object(
  {
    workspace: Workspace,
    rootKey: Type.Optional(
      Type.Object(
        { id: Type.String(), key: Type.String({ description: 'The root key itself: shown this once only.' }) },
        { description: 'The first root key, when one was asked for.' },
      ),
    ),
  },
  { examples: [{ workspace: workspaceExample, rootKey: { id: EXAMPLE.rootKeyId, key: EXAMPLE.rootKey } }] },
);

export const RenameWorkspaceBody = Type.Object({ name: Name }, { additionalProperties: false, examples: [{ name: 'payments' }] });

export const ListWorkspacesQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const WorkspaceList = Page(Workspace, workspaceExample, 'The workspaces the caller reaches, by id.');

/** The named shapes above, for `app.addSchema`. */
export const WORKSPACE_SCHEMAS = [WorkspaceShape];
