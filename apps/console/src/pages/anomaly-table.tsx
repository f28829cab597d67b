import type { Anomaly } from '@tessera/api';
import { Fragment, useState, type RefObject } from 'react';
import { DataTable } from '../data-table.js';
import { when } from '../format.js';
import { kindLabel } from '../monitoring-names.js';
import { MoreButton } from '../more-button.js';
import type { PageProps } from '../page-props.js';
import { AnomalyCard, namedSentence } from './anomaly-card.js';

const PAGE = 20;

/**
 * Findings one line each (severity, kind, key by name, the sentence, when, state), a page at a
 * time; a row's button opens its card below it: the evidence, and acknowledge and resolve.
 */
export function AnomalyTable({
  items,
  summary,
  more,
  open,
  toggle,
  ...card
}: {
  items: Anomaly[];
  /** The findings opened (kept by the page, so one stays open while the filters change). */
  open: ReadonlySet<string>;
  toggle(id: string): void;
  /** The line above the table, focused after a change took a finding out of the list. */
  summary: { text: string; ref: RefObject<HTMLParagraphElement | null> };
  /** The list stopped at the server's limit. */
  more: boolean;
  canManage: boolean;
  canOpenKey: boolean;
  notify: PageProps['notify'];
  onChanged(a: Anomaly, message: string): void;
}) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const at = Math.min(page, pages - 1);
  const shown = items.slice(at * PAGE, at * PAGE + PAGE);
  const columns = ['Severity', 'Kind', 'Key or subject', 'What was seen', 'Detected', 'State'];
  return (
    <>
      <p className="muted small" ref={summary.ref} tabIndex={-1}>
        {summary.text}
      </p>
      <DataTable label="Anomalies" className="anomalies dense" caption="Anomalies, newest first" columns={columns} actions>
        {shown.map((a) => {
          const expanded = open.has(a.id);
          const subject = a.keyId ?? a.subject;
          const name = a.names[subject] ?? subject;
          return (
            <Fragment key={a.id}>
              <tr data-anomaly-row={a.id}>
                <td>
                  <span className={`badge ${a.severity}`}>{a.severity}</span>
                </td>
                <td className="nowrap">{kindLabel(a.kind)}</td>
                <td title={subject}>
                  {card.canOpenKey && a.keyId !== null ? (
                    <a className="truncate" href={`#/key?id=${encodeURIComponent(a.keyId)}`}>
                      {name}
                    </a>
                  ) : (
                    <span className="truncate">{name}</span>
                  )}
                </td>
                <td className="sentence">
                  <span className="clip" title={namedSentence(a)}>
                    {namedSentence(a)}
                  </span>
                </td>
                <td className="nowrap">{when(a.detectedAt)}</td>
                <td>
                  <span className={`badge ${a.status}`}>{a.status}</span>
                </td>
                <td>
                  <MoreButton
                    expanded={expanded}
                    controls={`anomaly-${a.id}`}
                    about={`${kindLabel(a.kind)} of ${name}`}
                    onToggle={() => toggle(a.id)}
                  />
                </td>
              </tr>
              {expanded && (
                <tr id={`anomaly-${a.id}`} className="expanded">
                  <td colSpan={columns.length + 1}>
                    <AnomalyCard anomaly={a} {...card} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </DataTable>
      {(pages > 1 || more) && (
        <nav className="pager" aria-label="Pages of anomalies">
          <button type="button" disabled={at === 0} onClick={() => setPage(at - 1)}>
            Newer
          </button>
          <span className="muted small">{`Page ${at + 1} of ${pages}`}</span>
          <button type="button" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
            Older
          </button>
        </nav>
      )}
    </>
  );
}
