/** All bookings: filters plus a virtual list (only the rows in view are in the DOM; pages of 200 fetched as the view needs them). */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { BookingStatus, BookingView } from '../../../shared/contract/types.ts';
import { bookingStatuses } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { OfferingCombobox } from '../components/OfferingCombobox.tsx';
import { RowMenu, type RowMenuItem } from '../components/RowMenu.tsx';
import { VirtualTable, rowAttrs } from '../components/VirtualTable.tsx';
import type { VirtualRowSlot } from '../components/VirtualTable.tsx';
import { BookingStatusBadge, Empty, ErrorState, Loading, PageHeader, SyncChip } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { addDays, formatMoney, formatSlot, startOfZonedDay } from '../lib/format.ts';
import { pagesFor } from '../lib/pages.ts';
import { useDebounced } from '../lib/useDebounced.ts';
import './bookings.css';

/** Rows are one line high (52 px in bookings.css); measured anyway, this seeds the scroll height. */
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

const rowKey = (index: number) => index;
const rowSize = () => ROW;

type BookingsQuery = { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string };
interface Pages {
  key: string;
  map: ReadonlyMap<number, BookingView[]>;
  total: number | null;
  error: Error | null;
}

/**
 * The bookings matching a query, fetched in pages of 200 as the list renders their rows, re-fetched
 * (the pages in view) when the core changes bookings. `rowAt` is undefined for a row still coming.
 */
function useBookingPages(query: BookingsQuery) {
  const queryKey = JSON.stringify(query);
  const [pages, setPages] = useState<Pages>({ key: queryKey, map: new Map(), total: null, error: null });
  const inflight = useRef(new Set<string>());
  // The rows the list renders, [start, end): what the page fetches follow.
  const [range, setRange] = useState({ start: 0, end: 30 });
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const onRange = useCallback((start: number, end: number) => setRange({ start, end }), []);

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

  // New filters: start over at the top (the list is keyed by the query, so it scrolls back up too).
  useEffect(() => {
    setPages({ key: queryKey, map: new Map(), total: null, error: null });
    inflight.current.clear();
    setRange({ start: 0, end: 30 });
    fetchPage(0);
  }, [queryKey, fetchPage]);

  const current: Pages = pages.key === queryKey ? pages : { key: queryKey, map: new Map(), total: null, error: null };
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
        const r = rangeRef.current;
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

  const rowAt = (index: number) => current.map.get(Math.floor(index / PAGE))?.[index % PAGE];
  return { queryKey, total: current.total, error: current.error, rowAt, onRange, retry: () => fetchPage(0, true) };
}

/** The list's filters: search, status, offering and a date range in the tenant's zone. */
function BookingFilters({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  const { t } = useT();
  const id = useId();
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const hasFilters = JSON.stringify(filters) !== JSON.stringify(noFilters);
  return (
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
      <div className="filter">
        <label htmlFor={`${id}-offering`}>{t('bookings.offering')}</label>
        <OfferingCombobox id={`${id}-offering`} value={filters.offeringId} allLabel={t('common.all')} onChange={(offeringId) => set({ offeringId })} />
      </div>
      <label className="filter">
        <span>{t('bookings.from')}</span>
        <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label className="filter">
        <span>{t('bookings.to')}</span>
        <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
      </label>
      <button type="button" className="btn btn-ghost" disabled={!hasFilters} onClick={() => onChange(noFilters)}>
        {t('bookings.clear')}
      </button>
    </form>
  );
}

function BookingRow({ b, index, start, measure, onCancel, off }: VirtualRowSlot & { b: BookingView | undefined; onCancel: (b: BookingView) => void; off: string | null }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  // The ellipsis says the item asks first: a decline or a cancel opens its confirmation with the refund.
  const rowItems = (b: BookingView): RowMenuItem[] => [
    { label: t('palette.open'), onSelect: () => (location.hash = `#/booking/${encodeURIComponent(b.id)}`) },
    ...(b.status === 'PENDING' || b.status === 'CONFIRMED' ? [{ label: `${b.status === 'PENDING' ? t('queue.decline') : t('cancel.action')}…`, onSelect: () => onCancel(b), unavailable: off }] : []),
  ];
  return (
    <tr {...rowAttrs(index, start)} ref={measure} className="vt-row">
      {b ? (
        <>
          <td role="cell" className="cell-main">
            <a href={`#/booking/${encodeURIComponent(b.id)}`} className="strong-link">
              {b.customer.name}
            </a>
            <span className="muted small ellipsis">{b.offeringTitle}</span>
          </td>
          <td role="cell" className="small">
            {b.items[0] ? formatSlot(b.items[0].startsAt, b.items[0].endsAt, tz, locale) : '—'}
          </td>
          <td role="cell">
            <BookingStatusBadge status={b.status} />
          </td>
          <td role="cell" className="num">
            {formatMoney(b.totalCents, b.currency, locale)}
          </td>
          <td role="cell">
            <SyncChip state={b.syncState} />
          </td>
          <td role="cell" className="row-actions">
            <RowMenu label={t('bookings.rowActions', { name: b.customer.name })} items={rowItems(b)} />
          </td>
        </>
      ) : (
        <td role="cell" className="muted small skeleton">
          {t('bookings.rowLoading')}
        </td>
      )}
    </tr>
  );
}

export function BookingsScreen() {
  const { t } = useT();
  const tz = useTimezone();
  const [filters, setFilters] = useState<Filters>(noFilters);
  const search = useDebounced(filters.search.trim(), 250);
  const query = useMemo(() => {
    const q: BookingsQuery = {};
    if (filters.status) q.status = filters.status;
    if (filters.offeringId) q.offeringId = filters.offeringId;
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.from)) q.from = startOfZonedDay(filters.from, tz);
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.to)) q.to = startOfZonedDay(addDays(filters.to, 1), tz);
    if (search) q.search = search;
    return q;
  }, [filters.status, filters.offeringId, filters.from, filters.to, search, tz]);
  const pages = useBookingPages(query);
  const total = pages.total ?? 0;
  const actions = useBookingActions();

  let body;
  if (pages.total === null && pages.error) body = <ErrorState error={pages.error} onRetry={pages.retry} />;
  else if (pages.total === null) body = <Loading />;
  else if (total === 0) body = <Empty>{t('bookings.empty')}</Empty>;
  else
    body = (
      <VirtualTable
        key={pages.queryKey}
        className="bookings-list"
        label={t('bookings.title')}
        count={total}
        getKey={rowKey}
        estimateSize={rowSize}
        onRangeChange={pages.onRange}
        renderRow={(slot) => <BookingRow key={slot.index} {...slot} b={pages.rowAt(slot.index)} onCancel={actions.cancel} off={actions.writeBlock} />}
        header={
          <>
            <th role="columnheader" scope="col">
              {t('queue.col.customer')}
            </th>
            <th role="columnheader" scope="col">
              {t('bookings.col.when')} ({tz})
            </th>
            <th role="columnheader" scope="col">
              {t('bookings.col.status')}
            </th>
            <th role="columnheader" scope="col" className="num">
              {t('queue.col.total')}
            </th>
            <th role="columnheader" scope="col">
              {t('queue.col.sync')}
            </th>
            <th role="columnheader" scope="col">
              <span className="sr-only">{t('common.actions')}</span>
            </th>
          </>
        }
      />
    );

  return (
    <div className="page page-fill">
      <PageHeader title={t('bookings.title')}>{pages.total !== null && <span className="muted" role="status">{t('bookings.total', { n: total })}</span>}</PageHeader>
      <BookingFilters filters={filters} onChange={setFilters} />
      {body}
      {actions.dialogs}
    </div>
  );
}
