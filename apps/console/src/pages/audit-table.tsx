import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { when } from '../format.js';
import { MoreButton } from '../more-button.js';

/** One entry as `GET /v1/audit` lists it. */
export type Entry = Answer<'GET /v1/audit'>['items'][number];

type Rows = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: Entry[]; nextCursor: string | null };

/**
 * The audit log a page at a time, as the server pages it: `query` is the filters; "Older" follows
 * the server's cursor, "Newer" goes back the way it came.
 */
export function useAuditPages(query: string, size: number) {
  const [rows, setRows] = useState<Rows>({ state: 'loading' });
  // The cursors of this page and the pages before it (the first page has none); it moves with the rows.
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const run = useRef(0);
  const load = useCallback(
    async (next: (string | undefined)[]) => {
      const cursor = next.at(-1);
      const q = new URLSearchParams(query);
      q.set('limit', String(size));
      if (cursor) q.set('cursor', cursor);
      const mine = ++run.current;
      try {
        const page = await api<Answer<'GET /v1/audit'>>('GET', `/v1/audit?${q}`);
        if (mine !== run.current) return;
        setRows({ state: 'ready', items: page.items, nextCursor: page.nextCursor });
        setTrail(next);
      } catch (err) {
        if (mine === run.current) setRows({ state: 'error', message: (err as Error).message });
      }
    },
    [query, size],
  );
  useEffect(() => void load([undefined]), [load]);
  const at = trail.length - 1;
  return {
    rows,
    first: at * size + 1,
    older: rows.state === 'ready' && rows.nextCursor !== null ? () => void load([...trail, rows.nextCursor!]) : undefined,
    newer: at > 0 ? () => void load(trail.slice(0, -1)) : undefined,
    reload: () => void load(trail),
  };
}

/** The entry's details in words: `reason: left the company; changed: ["name"]`. */
const detailText = (e: Entry) =>
  Object.entries(e.details)
    .map(([k, val]) => `${k}: ${typeof val === 'string' ? val : JSON.stringify(val)}`)
    .join('; ');

/**
 * Audit entries, one line each (time, actor, action, target by name); a row's button shows the
 * rest below it: the details, the source address, the ids and the chain link.
 */
export function AuditTable({ rows, label, target = true }: { rows: Rows; label: string; target?: boolean }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const columns = ['#', 'Time', 'Actor', 'Action', ...(target ? ['Target'] : []), 'Details'];
  const span = columns.length + 1;
  const toggle = (seq: number) =>
    setOpen((o) => {
      const n = new Set(o);
      if (!n.delete(seq)) n.add(seq);
      return n;
    });
  return (
    <DataTable label={label} className="audit dense" caption={`${label}, newest first`} columns={columns} actions>
      {rows.state === 'loading' ? (
        <tr>
          <td colSpan={span} className="muted" aria-busy="true">
            Loading…
          </td>
        </tr>
      ) : rows.state === 'error' ? (
        <tr>
          <td colSpan={span} className="error">
            {rows.message}
          </td>
        </tr>
      ) : rows.items.length === 0 ? (
        <tr>
          <td colSpan={span} className="empty">
            No entries match these filters.
          </td>
        </tr>
      ) : (
        rows.items.map((e) => {
          const expanded = open.has(e.seq);
          const details = detailText(e);
          return (
            <Fragment key={e.seq}>
              <tr data-seq={e.seq}>
                <td>{e.seq}</td>
                <td className="nowrap">{when(e.ts)}</td>
                <td title={e.actor}>
                  <span className="truncate">{e.actorName ?? e.actor}</span>
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                {target && (
                  <td title={e.target ?? undefined} data-testid="audit-target">
                    {e.target === null ? '—' : <TargetName entry={e} />}
                  </td>
                )}
                <td className="details">
                  <span className="clip">{details || '—'}</span>
                </td>
                <td>
                  <MoreButton expanded={expanded} controls={`audit-${e.seq}`} about={`entry ${e.seq}`} onToggle={() => toggle(e.seq)} />
                </td>
              </tr>
              {expanded && (
                <tr id={`audit-${e.seq}`} className="expanded">
                  <td colSpan={span}>
                    <dl className="attrs">
                      <dt>Entry</dt>
                      <dd className="mono">{e.id}</dd>
                      <dt>Actor</dt>
                      <dd className="mono">{e.actor}</dd>
                      <dt>Target</dt>
                      <dd className="mono">{e.target ?? '—'}</dd>
                      <dt>Source</dt>
                      <dd>{e.ip ?? '—'}</dd>
                      <dt>Details</dt>
                      <dd className="details">{details || '—'}</dd>
                      <dt>Hash</dt>
                      <dd className="mono small">{e.hash}</dd>
                    </dl>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })
      )}
    </DataTable>
  );
}

/** A target by name, a key's linking to its page; the id when it has no name (or is gone). */
function TargetName({ entry: e }: { entry: Entry }) {
  const name = e.targetName ?? null;
  if (e.target!.startsWith('key_') && name !== null)
    return (
      <a className="truncate" href={`#/key?id=${encodeURIComponent(e.target!)}`}>
        {name}
      </a>
    );
  return <span className={name === null ? 'mono truncate' : 'truncate'}>{name ?? e.target}</span>;
}

/** "Entries 26–50" with Newer and Older. */
export function Pager({ pages, noun }: { pages: ReturnType<typeof useAuditPages>; noun: string }) {
  const { rows, first, older, newer } = pages;
  if (rows.state !== 'ready' || (rows.items.length === 0 && !newer)) return null;
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <button type="button" disabled={!newer} onClick={newer}>
        Newer
      </button>
      <span className="muted small">{`${noun[0]!.toUpperCase()}${noun.slice(1)} ${first}–${first + rows.items.length - 1}`}</span>
      <button type="button" disabled={!older} onClick={older}>
        Older
      </button>
    </nav>
  );
}
