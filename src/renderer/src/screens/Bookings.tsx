/** All bookings: filters plus a hand-written windowed list (fixed row height, pages fetched on demand). */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { BookingStatus, BookingView } from '../../../shared/contract/types.ts';
import { bookingStatuses } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useTimezone } from '../components/bookingActions.tsx';
import { BookingStatusBadge, Empty, ErrorState, Loading, PageHeader, SyncChip } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { addDays, formatMoney, formatSlot, startOfZonedDay } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { pagesFor, visibleRange } from '../lib/windowing.ts';

const ROW = 52;
const PAGE = 200;

interface Filters {
  status: BookingStatus | '';
  offeringId: string;
  from: string;
  to: string;
  search: string;
}
const noFilters: Filters = { status: '', offeringId: '', from: '', to: '', search: '' };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function BookingsScreen() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const offerings = useQuery('offerings.list', {}, ['offerings']);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const search = useDebounced(filters.search.trim(), 250);
  const query = useMemo(() => {
    const q: { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string } = {};
    if (filters.status) q.status = filters.status;
    if (filters.offeringId) q.offeringId = filters.offeringId;
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.from)) q.from = startOfZonedDay(filters.from, tz);
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.to)) q.to = startOfZonedDay(addDays(filters.to, 1), tz);
    if (search) q.search = search;
    return q;
  }, [filters.status, filters.offeringId, filters.from, filters.to, search, tz]);
  const queryKey = JSON.stringify(query);

  const [pages, setPages] = useState<{ key: string; map: ReadonlyMap<number, BookingView[]>; total: number | null; error: Error | null }>({ key: queryKey, map: new Map(), total: null, error: null });
  const inflight = useRef(new Set<string>());
  const [range, setRange] = useState({ start: 0, end: 30 });
  const viewport = useRef<HTMLDivElement | null>(null);
  const [viewportEl, setViewportEl] = useState<HTMLDivElement | null>(null);
  const viewportRef = useCallback((el: HTMLDivElement | null) => {
    viewport.current = el;
    setViewportEl(el);
  }, []);

  const fetchPage = useCallback(
    (page: number, force = false) => {
      const tag = `${queryKey}#${page}`;
      if (inflight.current.has(tag) && !force) return;
      inflight.current.add(tag);
      api.call('bookings.list', { ...query, offset: page * PAGE, limit: PAGE }).then(
        (res) => {
          inflight.current.delete(tag);
          setPages((prev) => (prev.key !== queryKey ? prev : { key: queryKey, map: new Map(prev.map).set(page, res.items), total: res.total, error: null }));
        },
        (error: Error) => {
          inflight.current.delete(tag);
          setPages((prev) => (prev.key !== queryKey ? prev : { ...prev, error }));
        },
      );
    },
    [query, queryKey],
  );

  // New filters: start over at the top.
  useEffect(() => {
    setPages({ key: queryKey, map: new Map(), total: null, error: null });
    inflight.current.clear();
    if (viewport.current) viewport.current.scrollTop = 0;
    setRange(visibleRange(0, viewport.current?.clientHeight ?? 600, ROW, Number.MAX_SAFE_INTEGER));
    fetchPage(0);
  }, [queryKey, fetchPage]);

  const current = pages.key === queryKey ? pages : { key: queryKey, map: new Map<number, BookingView[]>(), total: null, error: null };
  const total = current.total ?? 0;

  // Fetch the pages the visible rows need.
  useEffect(() => {
    if (current.total === null) return;
    for (const p of pagesFor(range.start, Math.min(range.end, total), PAGE)) if (!current.map.has(p)) fetchPage(p);
  }, [range, total, current.total, current.map, fetchPage]);

  // The core changed bookings: refetch the pages in view, drop the rest.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('data.changed', ({ tables }) => {
      if (!tables.includes('bookings') && !tables.includes('intents')) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const el = viewport.current;
        const r = visibleRange(el?.scrollTop ?? 0, el?.clientHeight ?? 600, ROW, Number.MAX_SAFE_INTEGER);
        const want = pagesFor(r.start, r.end, PAGE);
        setPages((prev) => ({ ...prev, map: new Map([...prev.map].filter(([p]) => want.includes(p))) }));
        for (const p of want.length ? want : [0]) fetchPage(p, true);
      }, 100);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [fetchPage]);

  useLayoutEffect(() => {
    const el = viewportEl;
    if (!el) return;
    const ro = new ResizeObserver(() => setRange(visibleRange(el.scrollTop, el.clientHeight, ROW, Number.MAX_SAFE_INTEGER)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [viewportEl]);

  const onScroll = () => {
    const el = viewport.current;
    if (el) setRange(visibleRange(el.scrollTop, el.clientHeight, ROW, Number.MAX_SAFE_INTEGER));
  };

  const start = Math.min(range.start, total);
  const end = Math.min(range.end, total);
  const rows: Array<{ index: number; b: BookingView | undefined }> = [];
  for (let i = start; i < end; i++) rows.push({ index: i, b: current.map.get(Math.floor(i / PAGE))?.[i % PAGE] });

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const hasFilters = JSON.stringify(filters) !== JSON.stringify(noFilters);

  let body;
  if (current.total === null && current.error) body = <ErrorState error={current.error} onRetry={() => fetchPage(0, true)} />;
  else if (current.total === null) body = <Loading />;
  else if (total === 0) body = <Empty>{t('bookings.empty')}</Empty>;
  else
    body = (
      <div className="vtable" role="table" aria-label={t('bookings.title')} aria-rowcount={total + 1}>
        <div role="rowgroup" className="vtable-head">
          <div role="row" className="vrow" aria-rowindex={1}>
            <span role="columnheader">{t('queue.col.customer')}</span>
            <span role="columnheader">{t('bookings.col.when')} ({tz})</span>
            <span role="columnheader">{t('bookings.col.status')}</span>
            <span role="columnheader" className="num">
              {t('queue.col.total')}
            </span>
            <span role="columnheader">{t('queue.col.sync')}</span>
          </div>
        </div>
        <div className="vtable-viewport" ref={viewportRef} onScroll={onScroll} role="rowgroup">
          <div className="vtable-spacer" style={{ height: total * ROW }}>
            {rows.map(({ index, b }) => (
              <div key={index} role="row" aria-rowindex={index + 2} className="vrow vrow-body" style={{ transform: `translateY(${index * ROW}px)`, height: ROW }}>
                {b ? (
                  <>
                    <span role="cell" className="cell-main">
                      <a href={`#/booking/${encodeURIComponent(b.id)}`} className="strong-link">
                        {b.customer.name}
                      </a>
                      <span className="muted small ellipsis">{b.offeringTitle}</span>
                    </span>
                    <span role="cell" className="small">
                      {b.items[0] ? formatSlot(b.items[0].startsAt, b.items[0].endsAt, tz, locale) : '—'}
                    </span>
                    <span role="cell">
                      <BookingStatusBadge status={b.status} />
                    </span>
                    <span role="cell" className="num">
                      {formatMoney(b.totalCents, b.currency, locale)}
                    </span>
                    <span role="cell">
                      <SyncChip state={b.syncState} />
                    </span>
                  </>
                ) : (
                  <span role="cell" className="muted small skeleton">
                    {t('bookings.rowLoading')}
                  </span>
                )}
              </div>
            ))}
          </div>
        </div>
      </div>
    );

  return (
    <div className="page page-fill">
      <PageHeader title={t('bookings.title')}>{current.total !== null && <span className="muted" role="status">{t('bookings.total', { n: total })}</span>}</PageHeader>
      <form className="filters" role="search" aria-label={t('bookings.filters')} onSubmit={(e) => e.preventDefault()}>
        <label className="filter">
          <span>{t('bookings.search')}</span>
          <input type="search" value={filters.search} placeholder={t('bookings.searchPlaceholder')} onChange={(e) => set({ search: e.target.value })} />
        </label>
        <label className="filter">
          <span>{t('bookings.status')}</span>
          <select value={filters.status} onChange={(e) => set({ status: e.target.value as BookingStatus | '' })}>
            <option value="">{t('common.all')}</option>
            {bookingStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`bookingStatus.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t('bookings.offering')}</span>
          <select value={filters.offeringId} onChange={(e) => set({ offeringId: e.target.value })}>
            <option value="">{t('common.all')}</option>
            {(offerings.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.title}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t('bookings.from')}</span>
          <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label className="filter">
          <span>{t('bookings.to')}</span>
          <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <button type="button" className="btn btn-ghost" disabled={!hasFilters} onClick={() => setFilters(noFilters)}>
          {t('bookings.clear')}
        </button>
      </form>
      {body}
    </div>
  );
}
