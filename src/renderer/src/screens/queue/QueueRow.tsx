/** One booking of the approval queue as a row of the virtual table, and the queue's column headers. */
import { memo } from 'react';
import type { QueueRow as QueueRowData } from '../../../../shared/contract/types.ts';
import { rowAttrs } from '../../components/VirtualTable.tsx';
import type { VirtualRowSlot } from '../../components/VirtualTable.tsx';
import { RiskBadge, SyncChip, riskLevel } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { formatDuration, formatMoney, formatSlot, isValidZone, zoneLabel, zonesDiffer } from '../../lib/format.ts';
import { blockOf } from '../../lib/safety.ts';

/** Stable callbacks for the memoised rows: a key press re-renders only the rows whose state changed. */
export interface RowHandlers {
  activate(id: string): void;
  toggle(id: string): void;
  approve(b: QueueRowData): void;
  decline(b: QueueRowData): void;
  reschedule(b: QueueRowData): void;
}

interface QueueRowProps {
  b: QueueRowData;
  index: number;
  start: number;
  measure: VirtualRowSlot['measure'];
  active: boolean;
  selected: boolean;
  tz: string;
  now: number;
  handlers: RowHandlers;
  /** Why writes are off (read-only key, core out of reach); null when they are on. */
  writeBlock: string | null;
}

/** The flags the front desk must see before pressing a key: held for review, a full slot, competitors, rule labels. */
function Flags({ b }: { b: QueueRowData }) {
  const { t } = useT();
  const block = blockOf(b, b.slot);
  const competing = b.slot.competingIds.length;
  if (!block && !competing && b.ruleFlags.length === 0) return null;
  return (
    <div className="row-flags">
      {b.held && <span className="chip chip-held">{t('queue.flag.held')}</span>}
      {b.slot.state === 'full' && <span className="chip chip-full">{t('queue.flag.full', { taken: b.slot.taken, n: b.slot.capacity ?? 0 })}</span>}
      {competing > 0 && <span className="chip chip-competing">{t('queue.flag.competing', { n: competing })}</span>}
      {b.ruleFlags.map((f) => (
        // The conditions the rule met are the chip's description: read on hover and by screen readers.
        <span key={f.ruleId} className="chip chip-flagged" title={f.conditions} aria-label={`${t('queue.flag.rule', { rule: f.ruleName })}: ${f.conditions}`}>
          {t('queue.flag.rule', { rule: f.ruleName })}
        </span>
      ))}
    </div>
  );
}

/**
 * One row: its place in the list (index, offset, highlight) on the `<tr>`, its content in `RowCells`.
 * An approval shifts every row below it up by one, which changes only the place: the content of
 * the rows on screen is not rendered again for it.
 */
export const QueueRow = memo(function QueueRow({ b, index, start, measure, active, selected, tz, now, handlers, writeBlock }: QueueRowProps) {
  const high = riskLevel(b.riskScore) === 'high';
  const blocked = blockOf(b, b.slot) !== null;
  return (
    <tr
      {...rowAttrs(index, start)}
      ref={measure}
      tabIndex={active ? 0 : -1}
      className={`vt-row ${active ? 'row-active' : ''} ${high ? 'row-risk' : ''} ${blocked ? 'row-blocked' : ''} ${selected ? 'row-selected' : ''}`}
      onClick={() => handlers.activate(b.id)}
      aria-current={active ? 'true' : undefined}
    >
      <RowCells b={b} selected={selected} tz={tz} now={now} handlers={handlers} writeBlock={writeBlock} blocked={blocked} />
    </tr>
  );
});

const RowCells = memo(function RowCells({ b, selected, tz, now, handlers, writeBlock, blocked }: Pick<QueueRowProps, 'b' | 'selected' | 'tz' | 'now' | 'handlers' | 'writeBlock'> & { blocked: boolean }) {
  const { t, locale } = useT();
  const item = b.items[0];
  const custTz = b.customer.timezone;
  const showCust = item && isValidZone(custTz) && zonesDiffer(custTz, tz, new Date(item.startsAt));
  const off = writeBlock ? { disabled: true, title: writeBlock, 'aria-describedby': 'write-block-reason' } : {};
  return (
    <>
      <td role="cell" className="col-check">
        <input type="checkbox" aria-label={t('common.select', { name: b.customer.name })} checked={selected} onChange={() => handlers.toggle(b.id)} />
      </td>
      <td role="cell">
        <a className="strong-link" href={`#/booking/${encodeURIComponent(b.id)}`}>
          {b.customer.name}
        </a>
        <div className="muted small">{b.offeringTitle}</div>
        {b.notes.trim() && (
          <p className="row-notes small">
            <span className="row-notes-label">{t('queue.customerNotes')}</span> {b.notes}
          </p>
        )}
      </td>
      <td role="cell">
        <div className="small strong">
          {t(`queue.group.${b.group}`)}
          {b.startsAt && Date.parse(b.startsAt) > now && <span className="muted"> · {t('queue.startsIn', { time: formatDuration(Date.parse(b.startsAt) - now, locale) })}</span>}
        </div>
        {item ? formatSlot(item.startsAt, item.endsAt, tz, locale) : '—'}
        {b.items.length > 1 && <span className="muted small"> · {t('queue.items', { n: b.items.length })}</span>}
        {showCust && item && custTz && <div className="muted small">{t('queue.customerTime', { tz: zoneLabel(custTz, locale, new Date(item.startsAt)), time: formatSlot(item.startsAt, item.endsAt, custTz, locale) })}</div>}
      </td>
      <td role="cell" className="num">
        {formatMoney(b.totalCents, b.currency, locale)}
      </td>
      <td role="cell">
        <RiskBadge score={b.riskScore} />
        <Flags b={b} />
      </td>
      <td role="cell">
        <div>{formatDuration(now - Date.parse(b.createdAt), locale)}</div>
        {b.syncState !== 'synced' && <SyncChip state={b.syncState} />}
      </td>
      <td role="cell" className="row-actions">
        <button type="button" className={blocked ? 'btn btn-small btn-warning-outline' : 'btn btn-small btn-primary'} onClick={() => handlers.approve(b)} {...off}>
          {t('queue.approve')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => handlers.decline(b)} {...off}>
          {t('queue.decline')}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => handlers.reschedule(b)} {...off}>
          {t('queue.reschedule')}
        </button>
      </td>
    </>
  );
});

/** The header cells, with the select-all box (indeterminate while only some rows are selected). */
export function QueueColumns({ tz, selected, total, onSelectAll }: { tz: string; selected: number; total: number; onSelectAll: (all: boolean) => void }) {
  const { t, locale } = useT();
  return (
    <>
      <th role="columnheader" scope="col" className="col-check">
        <input
          type="checkbox"
          aria-label={t('common.selectAll')}
          checked={selected > 0 && selected === total}
          ref={(el) => {
            if (el) el.indeterminate = selected > 0 && selected < total;
          }}
          onChange={(e) => onSelectAll(e.target.checked)}
        />
      </th>
      <th role="columnheader" scope="col">
        {t('queue.col.customer')}
      </th>
      <th role="columnheader" scope="col">
        {t('queue.col.slot', { tz: `${tz}, ${zoneLabel(tz, locale)}` })}
      </th>
      <th role="columnheader" scope="col" className="num">
        {t('queue.col.total')}
      </th>
      <th role="columnheader" scope="col">
        {t('queue.col.risk')}
      </th>
      <th role="columnheader" scope="col">
        {t('queue.col.waited')}
      </th>
      <th role="columnheader" scope="col">
        <span className="sr-only">{t('common.actions')}</span>
      </th>
    </>
  );
}

/** A row not loaded yet (the list knows the whole queue's length; pages come as they are reached). */
export function PlaceholderRow({ index, start, measure }: { index: number; start: number; measure: VirtualRowSlot['measure'] }) {
  const { t } = useT();
  return (
    <tr {...rowAttrs(index, start)} ref={measure} className="vt-row row-placeholder">
      <td role="cell" className="vt-span muted small">
        {t('common.loading')}
      </td>
    </tr>
  );
}
