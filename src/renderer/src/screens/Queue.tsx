/**
 * The approval queue: PENDING bookings as windows of `queue.window` (sorted by waiting time or by
 * start, filtered by offering, risk and date, grouped by the day they start), keyboard-first, as a
 * virtual list. Held and full-slot bookings are flagged on the row before any key is pressed.
 */
import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { QueueRow as QueueRowData } from '../../../shared/contract/types.ts';
import { approvedHere, useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { VirtualTable } from '../components/VirtualTable.tsx';
import type { VirtualRowSlot, VirtualTableHandle } from '../components/VirtualTable.tsx';
import { Empty, ErrorState, Kbd, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { addDays, startOfZonedDay, zonedToday } from '../lib/format.ts';
import { blockOf, isStale } from '../lib/safety.ts';
import { useApp, useLiveState } from '../store/app.ts';
import type { LiveState } from '../store/app.ts';
import { useFrontDesk } from '../store/frontdesk.ts';
import type { QueueFilterState } from '../store/frontdesk.ts';
import { QueueFilterBar } from './queue/Filters.tsx';
import { PlaceholderRow, QueueColumns, QueueRow } from './queue/QueueRow.tsx';
import type { RowHandlers } from './queue/QueueRow.tsx';
import { useActiveBooking, useQueueKeys, useQueueRows } from './queue/state.ts';
import type { QueueKeyState } from './queue/state.ts';
import { PAGE, useQueueWindow } from './queue/window.ts';
import { PreviewToggle, QueuePreview, usePreviewOpen } from './queue/Preview.tsx';
import type { QueueFilters } from './queue/window.ts';
import './queue.css';

/** A booking row's usual height; rows are measured as they render, this only seeds the scroll height. */
const ROW_ESTIMATE = 104;

const liveTone: Record<LiveState, 'on' | 'warn' | 'error' | 'off'> = { live: 'on', offline: 'warn', paused: 'warn', error: 'error', coreLost: 'error', notLive: 'off' };

/** "Connected to Atlas Studios (demo tenant) · sync is live", worded like the status bar. */
function ConnectedLine() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const live = useLiveState();
  if (!session?.tenant) return null;
  return (
    <p className="connected-line">
      {t('queue.connectedTo', { tenant: session.tenant.name })}
      {session.mode === 'demo' && <> ({t('queue.demoNote')})</>} ·{' '}
      <span className={`live live-${liveTone[live]}`}>
        <span className="dot" aria-hidden="true" />
        {t(`queue.sync.${live}`)}
      </span>
    </p>
  );
}

/** The selection's actions, or the keyboard hint when nothing is selected. */
function BulkBar({ selected, busy, off, onApprove, onDecline, onClear }: { selected: number; busy: boolean; off: string | null; onApprove: () => void; onDecline: () => void; onClear: () => void }) {
  const { t } = useT();
  const dis = off ? { disabled: true, title: off, 'aria-describedby': 'write-block-reason' } : { disabled: busy };
  return (
    <div className={selected ? 'bulkbar bulkbar-on' : 'bulkbar'} aria-hidden={selected ? undefined : true}>
      {selected > 0 ? (
        <>
          <span>{t('queue.selected', { n: selected })}</span>
          <button type="button" className="btn btn-small btn-primary" onClick={onApprove} {...dis}>
            {t('queue.approveSelected', { n: selected })}
          </button>
          <button type="button" className="btn btn-small" onClick={onDecline} {...dis}>
            {t('queue.declineSelected', { n: selected })}
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={onClear}>
            {t('queue.clearSelection')}
          </button>
          <span className="muted small">{t('queue.bulkSafe')}</span>
        </>
      ) : (
        <span className="muted small hint">
          <Kbd>?</Kbd> {t('queue.hint')}
        </span>
      )}
    </div>
  );
}

/** The contract's filters from the screen's: the date choice becomes a window in the tenant's time zone. */
function toQueueFilters(f: QueueFilterState, tz: string, now: number): QueueFilters {
  const today = zonedToday(tz, new Date(now));
  const day = (n: number) => startOfZonedDay(addDays(today, n), tz);
  const range: Record<QueueFilterState['date'], { from?: string; to?: string }> = {
    any: {},
    today: { from: day(0), to: day(1) },
    tomorrow: { from: day(1), to: day(2) },
    week: { from: day(0), to: day(7) },
    later: { from: day(7) },
  };
  const review = f.risk === 'flagged' ? { risk: 'all' as const, flagged: true } : { risk: f.risk };
  return { sort: f.sort, ...review, ...(f.offeringId ? { offeringIds: [f.offeringId] } : {}), ...range[f.date] };
}

// eslint-disable-next-line max-lines-per-function -- the screen wires the window, the selection, the highlight, the keys and the rows together
export function QueueScreen() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const now = useApp((s) => s.now);
  const navigate = useApp((s) => s.navigate);
  const tz = useTimezone();
  const filters = useFrontDesk((s) => s.filters);
  // The date window moves at midnight, not every tick of `now`.
  const today = zonedToday(tz, new Date(now));
  const input = useMemo(() => toQueueFilters(filters, tz, Date.parse(`${today}T12:00:00Z`)), [filters, tz, today]);
  const q = useQueueWindow(input, session?.mode !== 'none');
  const { rows, selected, setSelected, toggle, onRemoved, onRestored } = useQueueRows<QueueRowData>(q.rows);
  const { active, activePos, setActiveId } = useActiveBooking(rows);
  const tableRef = useRef<VirtualTableHandle>(null);
  const activePosRef = useRef(activePos);
  activePosRef.current = activePos;
  const actions = useBookingActions({ onRemoved, onRestored });
  const total = q.rows ? q.total - (q.rows.length - rows.length) : 0;
  const [previewOpen, togglePreview] = usePreviewOpen();
  // The pane follows the highlight a beat later, at a lower priority: the key press's own update
  // (the row leaving, the next one highlighted) commits without waiting for the pane.
  const previewRow = useDeferredValue(active);
  const leavePreview = useCallback(() => tableRef.current?.focusRow(activePosRef.current), []);

  // Back from the booking page: the highlight returns to the booking the user left.
  const restored = useRef(false);
  useLayoutEffect(() => {
    if (restored.current || !rows.length) return;
    restored.current = true;
    const id = useFrontDesk.getState().activeId;
    const at = id ? rows.findIndex((b) => b.id === id) : -1;
    if (at >= 0) {
      setActiveId(id);
      tableRef.current?.focusRow(at);
    }
  }, [rows, setActiveId]);
  // Kept for the booking page (j/k, Esc back here) when leaving the screen, not on every key press.
  const leaving = useRef({ activeId: null as string | null, rows: [] as readonly QueueRowData[] });
  leaving.current = { activeId: active?.id ?? null, rows };
  useEffect(
    () => () => {
      const { activeId, rows: last } = leaving.current;
      if (last.length) useFrontDesk.getState().remember(activeId, last.map((b) => b.id));
    },
    [],
  );

  // The nav badge follows what the queue shows (unfiltered), optimistic removals included.
  const unfiltered = !input.offeringIds && !input.from && !input.to && input.risk === 'all' && !input.flagged;
  useEffect(() => {
    if (q.rows && unfiltered) useApp.setState({ queueCount: total });
  }, [q.rows, total, unfiltered]);

  // Ask the core about the highlighted row's slot before the user presses a, when the row's own answer is stale.
  const { prefetch } = actions;
  useEffect(() => {
    if (active && isStale(active.slot, approvedHere)) prefetch(active);
  }, [prefetch, active]);

  const selectedRows = rows.filter((b) => selected.has(b.id));
  const targets = (): QueueRowData[] => (selectedRows.length ? selectedRows : active ? [active] : []);

  // Read at the moment of each key press or click, so the memoised rows' handlers stay stable.
  const state = useRef<QueueKeyState<QueueRowData>>(null!);
  // A j past the rows loaded so far waits here for its window, so no press is dropped at a page's end.
  const wanted = useRef<number | null>(null);
  state.current = {
    rows,
    count: total,
    activePos: wanted.current ?? activePos,
    active,
    targets,
    dialogOpen: actions.dialogOpen,
    approve: (bs) => {
      const only = bs.length === 1 ? bs[0] : undefined;
      // A safe single approval moves the highlight on to the next booking that is safe to approve.
      if (only && only.id === active?.id && !blockOf(only, only.slot)) {
        const next = rows.slice(activePos + 1).find((b) => !blockOf(b, b.slot));
        if (next) setActiveId(next.id);
      }
      void actions.approve(bs);
    },
    decline: actions.decline,
    reschedule: actions.reschedule,
    toggle,
    selectAll: () => void q.loadAll().then((all) => setSelected(new Set(all.map((b) => b.id)))),
    moveTo: (index) => {
      q.reach(index);
      const b = rows[index];
      wanted.current = b ? null : index;
      if (!b) return;
      setActiveId(b.id);
      tableRef.current?.focusRow(index);
    },
    open: (id) => {
      const fd = useFrontDesk.getState();
      fd.setFromQueue(true);
      fd.setActive(id);
      navigate({ name: 'booking', id });
    },
    reach: q.reach,
  };
  useQueueKeys(state);
  useEffect(() => {
    if (wanted.current !== null && rows[wanted.current]) state.current.moveTo(wanted.current);
  }, [rows]);
  const rowHandlers = useMemo<RowHandlers>(
    () => ({
      activate: (id) => setActiveId(id),
      toggle: (id) => state.current.toggle(id),
      approve: (b) => state.current.approve([b]),
      decline: (b) => state.current.decline([b]),
      reschedule: (b) => state.current.reschedule(b),
    }),
    [setActiveId],
  );

  const getKey = useCallback((i: number) => rows[i]?.id ?? `placeholder-${i}`, [rows]);
  // What is loaded and at most a page of placeholders beyond (reaching them loads that page), not
  // the whole queue: each approval changes the count, and the table then lays out every row again.
  const laidOut = Math.max(rows.length, Math.min(total, rows.length + PAGE));
  const estimateSize = useCallback(() => ROW_ESTIMATE, []);
  const { reach } = q;
  const onRange = useCallback((_start: number, end: number) => reach(end), [reach]);
  const renderRow = ({ index, start, measure }: VirtualRowSlot) => {
    const b = rows[index];
    if (!b) return <PlaceholderRow key={`placeholder-${index}`} index={index} start={start} measure={measure} />;
    return <QueueRow key={b.id} b={b} index={index} start={start} measure={measure} active={index === activePos} selected={selected.has(b.id)} tz={tz} now={now} handlers={rowHandlers} writeBlock={actions.writeBlock} />;
  };

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
  else if (q.loading) body = <Loading />;
  else if (q.error && !q.rows) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (rows.length === 0) body = <Empty>{unfiltered ? t('queue.empty') : t('queue.emptyFiltered')}</Empty>;
  else
    body = (
      <VirtualTable
        ref={tableRef}
        className="queue-list"
        label={t(filters.sort === 'starting' ? 'queue.countStarting' : 'queue.count', { n: total })}
        count={laidOut}
        rowCount={Math.max(rows.length, total)}
        getKey={getKey}
        estimateSize={estimateSize}
        activeIndex={activePos}
        renderRow={renderRow}
        onRangeChange={onRange}
        header={<QueueColumns tz={tz} selected={selectedRows.length} total={total} onSelectAll={(all) => (all ? state.current.selectAll() : setSelected(new Set()))} />}
      />
    );

  return (
    <div className="page page-fill page-queue">
      <PageHeader title={t('queue.title')} sub={session?.tenant ? <ConnectedLine /> : null}>
        {rows.length > 0 && <span className="muted">{t(filters.sort === 'starting' ? 'queue.countStarting' : 'queue.count', { n: total })}</span>}
        {rows.length > 0 && <PreviewToggle open={previewOpen} onToggle={togglePreview} />}
      </PageHeader>
      {actions.writeBlock && (
        <p id="write-block-reason" className="notice notice-warning" role="status">
          {actions.writeBlock}
        </p>
      )}
      <QueueFilterBar counts={q.counts} />
      <BulkBar selected={selectedRows.length} busy={actions.busy} off={actions.writeBlock} onApprove={() => void actions.approve(selectedRows)} onDecline={() => actions.decline(selectedRows)} onClear={() => setSelected(new Set())} />
      <div className={previewOpen ? 'queue-split queue-split-open' : 'queue-split'}>
        {body}
        {previewOpen && rows.length > 0 && <QueuePreview row={previewRow} tz={tz} onLeave={leavePreview} />}
      </div>
      {actions.dialogs}
    </div>
  );
}
