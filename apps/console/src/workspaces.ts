import { api, type Answer } from './api.js';

export type Workspace = Answer<'GET /v1/workspaces'>['items'][number];

/** Every workspace the signed-in user reaches, a page at a time until the last, by name. */
export async function loadWorkspaces(): Promise<Workspace[]> {
  const all: Workspace[] = [];
  let cursor: string | null = null;
  do {
    const page: Answer<'GET /v1/workspaces'> = await api('GET', `/v1/workspaces?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
