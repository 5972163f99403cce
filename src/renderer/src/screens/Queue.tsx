/** The approval queue: PENDING bookings, oldest first, keyboard-first. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BookingView } from '../../../shared/contract.ts';
import { isTypingTarget } from '../App.tsx';
import { useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { Empty, ErrorState, Kbd, Loading, PageHeader, RiskBadge, SyncChip, riskLevel } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { formatDuration, formatMoney, formatSlot, isValidZone, zoneLabel, zonesDiffer } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp, useLiveState } from '../store/app.ts';
import type { LiveState } from '../store/app.ts';

const tables = ['bookings', 'intents', 'conflicts'] as const;

const liveTone: Record<LiveState, 'on' | 'warn' | 'error' | 'off'> = { live: 'on', offline: 'warn', paused: 'warn', error: 'error', coreLost: 'error', notLive: 'off' };

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
  const [activeIndex, setActiveIndex] = useState(0);
  const listRef = useRef<HTMLTableSectionElement>(null);

  const rows = useMemo(() => (q.data ?? []).filter((b) => !removed.has(b.id)), [q.data, removed]);
  const active = rows[Math.min(activeIndex, rows.length - 1)] ?? null;
  const activePos = active ? rows.indexOf(active) : -1;

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

  // Keyboard: j/k move, a approve, d decline, r reschedule, x select, Shift+A select all, Enter open.
  const stateRef = useRef({ rows, activePos, targets, actions, active, toggle, navigate });
  stateRef.current = { rows, activePos, targets, actions, active, toggle, navigate };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTypingTarget(e.target) || document.querySelector('dialog[open]')) return;
      const s = stateRef.current;
      if (s.actions.dialogOpen) return;
      const key = e.key;
      if (key === 'j' || key === 'ArrowDown') {
        e.preventDefault();
        setActiveIndex(Math.min(s.rows.length - 1, s.activePos + 1));
      } else if (key === 'k' || key === 'ArrowUp') {
        e.preventDefault();
        setActiveIndex(Math.max(0, s.activePos - 1));
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

  useEffect(() => {
    listRef.current?.querySelector('tr.row-active')?.scrollIntoView?.({ block: 'nearest' });
  }, [activePos]);

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
      <div className="table-wrap">
        <table className="table queue-table">
          <caption className="sr-only">{t('queue.count', { n: rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col" className="col-check">
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
              <th scope="col">{t('queue.col.customer')}</th>
              <th scope="col">{t('queue.col.slot', { tz: zone })}</th>
              <th scope="col" className="num">
                {t('queue.col.total')}
              </th>
              <th scope="col">{t('queue.col.risk')}</th>
              <th scope="col">{t('queue.col.waited')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody ref={listRef}>
            {rows.map((b, i) => {
              const item = b.items[0];
              const custTz = b.customer.timezone;
              const showCust = item && isValidZone(custTz) && zonesDiffer(custTz, tz, new Date(item.startsAt));
              const isActive = i === activePos;
              const high = riskLevel(b.riskScore) === 'high';
              return (
                <tr key={b.id} className={`${isActive ? 'row-active' : ''} ${high ? 'row-risk' : ''} ${selected.has(b.id) ? 'row-selected' : ''}`} onClick={() => setActiveIndex(i)} aria-current={isActive ? 'true' : undefined}>
                  <td className="col-check">
                    <input type="checkbox" aria-label={t('common.select', { name: b.customer.name })} checked={selected.has(b.id)} onChange={() => toggle(b.id)} />
                  </td>
                  <td>
                    <a className="strong-link" href={`#/booking/${encodeURIComponent(b.id)}`}>
                      {b.customer.name}
                    </a>
                    <div className="muted small">{b.offeringTitle}</div>
                  </td>
                  <td>
                    {item ? formatSlot(item.startsAt, item.endsAt, tz, locale) : '—'}
                    {b.items.length > 1 && <span className="muted small"> · {t('queue.items', { n: b.items.length })}</span>}
                    {showCust && item && custTz && <div className="muted small">{t('queue.customerTime', { tz: zoneLabel(custTz, locale, new Date(item.startsAt)), time: formatSlot(item.startsAt, item.endsAt, custTz, locale) })}</div>}
                  </td>
                  <td className="num">{formatMoney(b.totalCents, b.currency, locale)}</td>
                  <td>
                    <RiskBadge score={b.riskScore} />
                  </td>
                  <td>
                    <div>{formatDuration(now - Date.parse(b.createdAt), locale)}</div>
                    <SyncChip state={b.syncState} />
                  </td>
                  <td className="row-actions">
                    <span className="nowrap">
                      <button type="button" className="btn btn-small btn-primary" onClick={() => void actions.approve([b])}>
                        {t('queue.approve')}
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => actions.decline([b])}>
                        {t('queue.decline')}
                      </button>
                    </span>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => actions.reschedule(b)}>
                      {t('queue.reschedule')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="page page-queue">
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
      <p className="sr-only" aria-live="polite">
        {active ? `${activePos + 1} / ${rows.length}: ${active.customer.name}, ${active.offeringTitle}` : ''}
      </p>
      {actions.dialogs}
    </div>
  );
}
