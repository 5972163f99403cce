/** The approval queue: PENDING bookings, oldest first, keyboard-first, as a virtual list. */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { BookingView } from '../../../shared/contract/types.ts';
import { useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { VirtualTable } from '../components/VirtualTable.tsx';
import type { VirtualRowSlot, VirtualTableHandle } from '../components/VirtualTable.tsx';
import { Empty, ErrorState, Kbd, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp, useLiveState } from '../store/app.ts';
import type { LiveState } from '../store/app.ts';
import { QueueColumns, QueueRow } from './queue/QueueRow.tsx';
import type { RowHandlers } from './queue/QueueRow.tsx';
import { useActiveBooking, useQueueKeys, useQueueRows } from './queue/state.ts';
import type { QueueKeyState } from './queue/state.ts';
import './queue.css';

const tables = ['bookings', 'intents', 'conflicts'] as const;

/** A booking row's usual height; rows are measured as they render, this only seeds the scroll height. */
const ROW_ESTIMATE = 78;

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
function BulkBar({ selected, busy, onApprove, onDecline, onClear }: { selected: number; busy: boolean; onApprove: () => void; onDecline: () => void; onClear: () => void }) {
  const { t } = useT();
  return (
    <div className={selected ? 'bulkbar bulkbar-on' : 'bulkbar'} aria-hidden={selected ? undefined : true}>
      {selected > 0 ? (
        <>
          <span>{t('queue.selected', { n: selected })}</span>
          <button type="button" className="btn btn-small btn-primary" onClick={onApprove} disabled={busy}>
            {t('queue.approveSelected', { n: selected })}
          </button>
          <button type="button" className="btn btn-small" onClick={onDecline} disabled={busy}>
            {t('queue.declineSelected', { n: selected })}
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={onClear}>
            {t('queue.clearSelection')}
          </button>
        </>
      ) : (
        <span className="muted small hint">
          <Kbd>?</Kbd> {t('queue.hint')}
        </span>
      )}
    </div>
  );
}

export function QueueScreen() {
  const { t } = useT();
  const session = useApp((s) => s.session);
  const now = useApp((s) => s.now);
  const navigate = useApp((s) => s.navigate);
  const tz = useTimezone();
  const q = useQuery('queue.list', {}, tables, session?.mode !== 'none');
  const { rows, selected, setSelected, toggle, onRemoved, onRestored } = useQueueRows(q.data);
  const { active, activePos, setActiveId } = useActiveBooking(rows);
  const tableRef = useRef<VirtualTableHandle>(null);
  const actions = useBookingActions({ onRemoved, onRestored });

  // The nav badge follows what the queue shows, optimistic removals included.
  useEffect(() => {
    if (q.data) useApp.setState({ queueCount: rows.length });
  }, [q.data, rows.length]);

  // Ask the core about overlaps for the highlighted row before the user presses a.
  const { prefetch } = actions;
  useEffect(() => {
    prefetch(active);
  }, [prefetch, active]);

  const selectedRows = rows.filter((b) => selected.has(b.id));
  const targets = (): BookingView[] => (selectedRows.length ? selectedRows : active ? [active] : []);

  // Read at the moment of each key press or click, so the memoised rows' handlers stay stable.
  const state = useRef<QueueKeyState>(null!);
  state.current = {
    rows,
    activePos,
    active,
    targets,
    dialogOpen: actions.dialogOpen,
    approve: (bs) => void actions.approve(bs),
    decline: actions.decline,
    reschedule: actions.reschedule,
    toggle,
    selectAll: () => setSelected(new Set(rows.map((b) => b.id))),
    moveTo: (index) => {
      const b = rows[index];
      if (!b) return;
      setActiveId(b.id);
      tableRef.current?.focusRow(index);
    },
    open: (id) => navigate({ name: 'booking', id }),
  };
  useQueueKeys(state);
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

  const getKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  const estimateSize = useCallback(() => ROW_ESTIMATE, []);
  const renderRow = ({ index, start, measure }: VirtualRowSlot) => {
    const b = rows[index]!;
    return <QueueRow key={b.id} b={b} index={index} start={start} measure={measure} active={index === activePos} selected={selected.has(b.id)} tz={tz} now={now} handlers={rowHandlers} />;
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
        header={<QueueColumns tz={tz} selected={selectedRows.length} total={rows.length} onSelectAll={(all) => setSelected(all ? new Set(rows.map((b) => b.id)) : new Set())} />}
      />
    );

  return (
    <div className="page page-fill page-queue">
      <PageHeader title={t('queue.title')} sub={session?.tenant ? <ConnectedLine /> : null}>
        {rows.length > 0 && <span className="muted">{t('queue.count', { n: rows.length })}</span>}
      </PageHeader>
      <BulkBar selected={selectedRows.length} busy={actions.busy} onApprove={() => void actions.approve(selectedRows)} onDecline={() => actions.decline(selectedRows)} onClear={() => setSelected(new Set())} />
      {body}
      {actions.dialogs}
    </div>
  );
}
