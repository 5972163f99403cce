/** One booking of the approval queue as a row of the virtual table, and the queue's column headers. */
import { memo } from 'react';
import type { BookingView } from '../../../../shared/contract/types.ts';
import { rowAttrs } from '../../components/VirtualTable.tsx';
import type { VirtualRowSlot } from '../../components/VirtualTable.tsx';
import { RiskBadge, SyncChip, riskLevel } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { formatDuration, formatMoney, formatSlot, isValidZone, zoneLabel, zonesDiffer } from '../../lib/format.ts';

/** Stable callbacks for the memoised rows: a key press re-renders only the rows whose state changed. */
export interface RowHandlers {
  activate(id: string): void;
  toggle(id: string): void;
  approve(b: BookingView): void;
  decline(b: BookingView): void;
  reschedule(b: BookingView): void;
}

interface QueueRowProps {
  b: BookingView;
  index: number;
  start: number;
  measure: VirtualRowSlot['measure'];
  active: boolean;
  selected: boolean;
  tz: string;
  now: number;
  handlers: RowHandlers;
}

export const QueueRow = memo(function QueueRow({ b, index, start, measure, active, selected, tz, now, handlers }: QueueRowProps) {
  const { t, locale } = useT();
  const item = b.items[0];
  const custTz = b.customer.timezone;
  const showCust = item && isValidZone(custTz) && zonesDiffer(custTz, tz, new Date(item.startsAt));
  const high = riskLevel(b.riskScore) === 'high';
  return (
    <tr
      {...rowAttrs(index, start)}
      ref={measure}
      tabIndex={active ? 0 : -1}
      className={`vt-row ${active ? 'row-active' : ''} ${high ? 'row-risk' : ''} ${selected ? 'row-selected' : ''}`}
      onClick={() => handlers.activate(b.id)}
      aria-current={active ? 'true' : undefined}
    >
      <td role="cell" className="col-check">
        <input type="checkbox" aria-label={t('common.select', { name: b.customer.name })} checked={selected} onChange={() => handlers.toggle(b.id)} />
      </td>
      <td role="cell">
        <a className="strong-link" href={`#/booking/${encodeURIComponent(b.id)}`}>
          {b.customer.name}
        </a>
        <div className="muted small">{b.offeringTitle}</div>
      </td>
      <td role="cell">
        {item ? formatSlot(item.startsAt, item.endsAt, tz, locale) : '—'}
        {b.items.length > 1 && <span className="muted small"> · {t('queue.items', { n: b.items.length })}</span>}
        {showCust && item && custTz && <div className="muted small">{t('queue.customerTime', { tz: zoneLabel(custTz, locale, new Date(item.startsAt)), time: formatSlot(item.startsAt, item.endsAt, custTz, locale) })}</div>}
      </td>
      <td role="cell" className="num">
        {formatMoney(b.totalCents, b.currency, locale)}
      </td>
      <td role="cell">
        <RiskBadge score={b.riskScore} />
      </td>
      <td role="cell">
        <div>{formatDuration(now - Date.parse(b.createdAt), locale)}</div>
        <SyncChip state={b.syncState} />
      </td>
      <td role="cell" className="row-actions">
        <span className="nowrap">
          <button type="button" className="btn btn-small btn-primary" onClick={() => handlers.approve(b)}>
            {t('queue.approve')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => handlers.decline(b)}>
            {t('queue.decline')}
          </button>
        </span>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => handlers.reschedule(b)}>
          {t('queue.reschedule')}
        </button>
      </td>
    </tr>
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
