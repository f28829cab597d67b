import { isId, TesseraError, type IdKind } from '@tessera/core';

/** Opaque cursors: the last id of a page, base64url-encoded so callers do not build them. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id a cursor carries, checked to be of `kind`; none without a cursor (the first page). */
export function decodeCursor(cursor: string, kind: IdKind): string;
export function decodeCursor(cursor: string | undefined, kind: IdKind): string | undefined;
export function decodeCursor(cursor: string | undefined, kind: IdKind): string | undefined {
  if (cursor === undefined) return undefined;
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!isId(kind, id)) throw new TesseraError('VALIDATION_FAILED', 'cursor is not valid');
  return id;
}

/** Audit cursors carry a sequence number. */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeSeqCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (m === null) throw new TesseraError('VALIDATION_FAILED', 'cursor is not valid');
  return Number(m[1]);
}

/**
 * A page of a list read with one item more than asked (`limit + 1`): its first `limit` items, and
 * the cursor after the last of them, or null when nothing follows.
 */
export function pageOf<T extends { id: string }>(items: readonly T[], limit: number): { page: T[]; nextCursor: string | null } {
  const page = items.slice(0, limit);
  return { page, nextCursor: items.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
}

/**
 * A list route's answer, a page at a time: `read` is asked for one item more than the page holds,
 * from the id the query's cursor carries (none on the first page); the page's items go through
 * `view`, and `nextCursor` points past them.
 */
export async function listPage<T extends { id: string }, V>(
  query: { limit?: number | undefined; cursor?: string | undefined },
  kind: IdKind,
  read: (limit: number, from: string | undefined) => Promise<readonly T[]>,
  view: (page: T[]) => V[] | Promise<V[]>,
  defaultLimit = 100,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const limit = query.limit ?? defaultLimit;
  const { page, nextCursor } = pageOf(await read(limit + 1, decodeCursor(query.cursor, kind)), limit);
  return { items: await view(page), nextCursor };
}
