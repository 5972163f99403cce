/** The approval queue: PENDING bookings, oldest first, keyboard-first. */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { BookingView } from '../../../shared/contract/types.ts';
import { useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { VirtualTable, rowAttrs } from '../components/VirtualTable.tsx';
import type { VirtualRowSlot, VirtualTableHandle } from '../components/VirtualTable.tsx';
import { Empty, ErrorState, Kbd, Loading, PageHeader, RiskBadge, SyncChip, riskLevel } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { formatDuration, formatMoney, formatSlot, isValidZone, zoneLabel, zonesDiffer } from '../lib/format.ts';
import { isScreenShortcut } from '../lib/keys.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp, useLiveState } from '../store/app.ts';
import type { LiveState } from '../store/app.ts';
import './queue.css';

const tables = ['bookings', 'intents', 'conflicts'] as const;

/** A booking row's usual height; rows are measured as they render, this only seeds the scroll height. */
const ROW_ESTIMATE = 78;

const liveTone: Record<LiveState, 'on' | 'warn' | 'error' | 'off'> = { live: 'on', offline: 'warn', paused: 'warn', error: 'error', coreLost: 'error', notLive: 'off' };

interface RowHandlers {
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

const QueueRow = memo(function QueueRow({ b, index, start, measure, active, selected, tz, now, handlers }: QueueRowProps) {
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

export function QueueScreen() {
  const { t, locale } = useT();
  const session = useApp((s) => s.session);
  const live = useLiveState();
  const now = useApp((s) => s.now);
  const navigate = useApp((s) => s.navigate);
  const tz = useTimezone();
  const q = useQuery('queue.list', {}, tables, session?.mode !== 'none');
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const tableRef = useRef<VirtualTableHandle>(null);

  const rows = useMemo(() => (q.data ?? []).filter((b) => !removed.has(b.id)), [q.data, removed]);

  // The highlighted row is a booking, not a position: bookings arriving or leaving elsewhere in the
  // list never move it to another customer. When it leaves (approved, declined, refused), the row
  // that takes its place becomes the target, as the next key press expects.
  const [activeId, setActiveId] = useState<string | null>(null);
  const lastPos = useRef(0);
  const found = activeId === null ? -1 : rows.findIndex((b) => b.id === activeId);
  const activePos = found >= 0 ? found : rows.length ? Math.min(lastPos.current, rows.length - 1) : -1;
  const active = activePos >= 0 ? (rows[activePos] ?? null) : null;
  useLayoutEffect(() => {
    lastPos.current = Math.max(0, activePos);
    if (active && active.id !== activeId) setActiveId(active.id);
  }, [activePos, active, activeId]);

  // Forget optimistic removals once the core's answer no longer lists them.
  useEffect(() => {
    if (!q.data) return;
    const ids = new Set(q.data.map((b) => b.id));
    setRemoved((prev) => {
      const next = new Set([...prev].filter((id) => ids.has(id)));
      return next.size === prev.size ? prev : next;
    });
    setSelected((prev) => {
      const next = new Set([...prev].filter((id) => ids.has(id)));
      return next.size === prev.size ? prev : next;
    });
  }, [q.data]);

  // The nav badge follows what the queue shows, optimistic removals included.
  useEffect(() => {
    if (q.data) useApp.setState({ queueCount: rows.length });
  }, [q.data, rows.length]);

  const onRemoved = useCallback((ids: string[]) => {
    setRemoved((prev) => new Set([...prev, ...ids]));
    setSelected((prev) => new Set([...prev].filter((id) => !ids.includes(id))));
  }, []);
  const onRestored = useCallback((ids: string[]) => setRemoved((prev) => new Set([...prev].filter((id) => !ids.includes(id)))), []);
  const actions = useBookingActions({ onRemoved, onRestored });
  // Stable handlers for the memoised rows: a key press re-renders only the rows whose state changed.
  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  const rowHandlers = useMemo<RowHandlers>(
    () => ({
      activate: (id) => setActiveId(id),
      toggle: (id) => toggleRef.current(id),
      approve: (b) => void actionsRef.current.approve([b]),
      decline: (b) => actionsRef.current.decline([b]),
      reschedule: (b) => actionsRef.current.reschedule(b),
    }),
    [],
  );
  // Ask the core about overlaps for the highlighted row before the user presses a.
  const { prefetch } = actions;
  useEffect(() => {
    prefetch(active);
  }, [prefetch, active]);

  const selectedRows = rows.filter((b) => selected.has(b.id));
  const targets = useCallback((): BookingView[] => (selectedRows.length ? selectedRows : active ? [active] : []), [selectedRows, active]);

  const toggle = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const toggleRef = useRef(toggle);
  toggleRef.current = toggle;

  // Keyboard: j/k move (and take the focus to the row), a approve, d decline, r reschedule, x select,
  // Shift+A select all, Enter open.
  const stateRef = useRef({ rows, activePos, targets, actions, active, toggle, navigate });
  stateRef.current = { rows, activePos, targets, actions, active, toggle, navigate };
  useEffect(() => {
    const move = (to: number) => {
      const { rows } = stateRef.current;
      const b = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (!b) return;
      setActiveId(b.id);
      tableRef.current?.focusRow(rows.indexOf(b));
    };
    const onKey = (e: KeyboardEvent) => {
      if (!isScreenShortcut(e)) return;
      const s = stateRef.current;
      if (s.actions.dialogOpen) return;
      const key = e.key;
      if (key === 'j' || key === 'ArrowDown') {
        e.preventDefault();
        move(s.activePos + 1);
      } else if (key === 'k' || key === 'ArrowUp') {
        e.preventDefault();
        move(s.activePos - 1);
      } else if (key === 'a') {
        e.preventDefault();
        void s.actions.approve(s.targets());
      } else if (key === 'A' && e.shiftKey) {
        e.preventDefault();
        setSelected(new Set(s.rows.map((b) => b.id)));
      } else if (key === 'd') {
        e.preventDefault();
        s.actions.decline(s.targets());
      } else if (key === 'r' && s.active) {
        e.preventDefault();
        s.actions.reschedule(s.active);
      } else if (key === 'x' && s.active) {
        e.preventDefault();
        s.toggle(s.active.id);
      } else if (key === 'Enter' && s.active && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLAnchorElement)) {
        e.preventDefault();
        s.navigate({ name: 'booking', id: s.active.id });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const getKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  const estimateSize = useCallback(() => ROW_ESTIMATE, []);
  const renderRow = ({ index, start, measure }: VirtualRowSlot) => {
    const b = rows[index]!;
    return <QueueRow key={b.id} b={b} index={index} start={start} measure={measure} active={index === activePos} selected={selected.has(b.id)} tz={tz} now={now} handlers={rowHandlers} />;
  };

  const tenant = session?.tenant;
  const sub = tenant ? (
    <p className="connected-line">
      {t('queue.connectedTo', { tenant: tenant.name })}
      {session?.mode === 'demo' && <> ({t('queue.demoNote')})</>} ·{' '}
      <span className={`live live-${liveTone[live]}`}>
        <span className="dot" aria-hidden="true" />
        {t(`queue.sync.${live}`)}
      </span>
    </p>
  ) : null;

  const zone = `${tz}, ${zoneLabel(tz, locale)}`;
  let body;
  if (session && session.mode === 'none')
    body = (
      <Empty>
        <p>{t('queue.noSession')}</p>
        <a className="btn btn-primary" href="#/settings">
          {t('queue.goSettings')}
        </a>
      </Empty>
    );
  else if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (rows.length === 0) body = <Empty>{t('queue.empty')}</Empty>;
  else
    body = (
      <VirtualTable
        ref={tableRef}
        className="queue-list"
        label={t('queue.count', { n: rows.length })}
        count={rows.length}
        getKey={getKey}
        estimateSize={estimateSize}
        activeIndex={activePos}
        renderRow={renderRow}
        header={
          <>
            <th role="columnheader" scope="col" className="col-check">
              <input
                type="checkbox"
                aria-label={t('common.selectAll')}
                checked={selectedRows.length > 0 && selectedRows.length === rows.length}
                ref={(el) => {
                  if (el) el.indeterminate = selectedRows.length > 0 && selectedRows.length < rows.length;
                }}
                onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((b) => b.id)) : new Set())}
              />
            </th>
            <th role="columnheader" scope="col">
              {t('queue.col.customer')}
            </th>
            <th role="columnheader" scope="col">
              {t('queue.col.slot', { tz: zone })}
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
        }
      />
    );

  return (
    <div className="page page-fill page-queue">
      <PageHeader title={t('queue.title')} sub={sub}>
        {rows.length > 0 && <span className="muted">{t('queue.count', { n: rows.length })}</span>}
      </PageHeader>
      <div className={selectedRows.length ? 'bulkbar bulkbar-on' : 'bulkbar'} aria-hidden={selectedRows.length ? undefined : true}>
        {selectedRows.length > 0 ? (
          <>
            <span>{t('queue.selected', { n: selectedRows.length })}</span>
            <button type="button" className="btn btn-small btn-primary" onClick={() => void actions.approve(selectedRows)} disabled={actions.busy}>
              {t('queue.approveSelected', { n: selectedRows.length })}
            </button>
            <button type="button" className="btn btn-small" onClick={() => actions.decline(selectedRows)} disabled={actions.busy}>
              {t('queue.declineSelected', { n: selectedRows.length })}
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setSelected(new Set())}>
              {t('queue.clearSelection')}
            </button>
          </>
        ) : (
          <span className="muted small hint">
            <Kbd>?</Kbd> {t('queue.hint')}
          </span>
        )}
      </div>
      {body}
      {actions.dialogs}
    </div>
  );
}
