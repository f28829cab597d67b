import { isId, TesseraError, type IdKind } from '@tessera/core';

/** Opaque cursors: the last id of a page, base64url-encoded so callers do not build them. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kind: IdKind): string {
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
