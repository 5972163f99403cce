/** A day timeline: one row per offering, bookings as blocks positioned by time, and a now-line. */
import { useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { BookingView } from '../../../shared/contract/types.ts';
import { useTimezone } from '../components/bookingActions.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { addDays, formatTime, startOfZonedDay, zoneLabel, zonedToday } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import './today.css';

interface Block {
  booking: BookingView;
  itemId: string;
  start: number;
  end: number;
  /** Its line within the offering's row: bookings at the same time (a class, two vans) sit one under the other. */
  lane: number;
}

/** Greedy lanes: each block takes the first line free at its start. Returns how many lines the row needs. */
function assignLanes(list: Block[]): number {
  const ends: number[] = [];
  for (const b of list.sort((x, y) => x.start - y.start || x.end - y.end)) {
    const free = ends.findIndex((e) => e <= b.start);
    b.lane = free >= 0 ? free : ends.length;
    ends[b.lane] = b.end;
  }
  return Math.max(1, ends.length);
}

/** One line of blocks, in px. */
const LANE = 34;

/**
 * Arrow keys between the bookings on the timeline: ← / → the previous / next booking of the same
 * offering (then on to the next offering's), ↑ / ↓ the booking of the offering above / below that
 * starts nearest in time. Every booking stays a Tab stop too; the arrows only make the walk short.
 */
function onTimelineKey(e: ReactKeyboardEvent<HTMLElement>): void {
  const current = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>('a[data-row]') : null;
  if (!current || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const links = [...e.currentTarget.querySelectorAll<HTMLElement>('a[data-row]')];
  const row = (el: HTMLElement) => Number(el.dataset['row']);
  const start = (el: HTMLElement) => Number(el.dataset['start']);
  const ordered = links.sort((a, b) => row(a) - row(b) || start(a) - start(b));
  const at = ordered.indexOf(current);
  let next: HTMLElement | undefined;
  if (e.key === 'ArrowRight') next = ordered[at + 1];
  else if (e.key === 'ArrowLeft') next = ordered[at - 1];
  else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const rows = [...new Set(ordered.map(row))];
    const target = rows[rows.indexOf(row(current)) + (e.key === 'ArrowDown' ? 1 : -1)];
    if (target !== undefined) next = ordered.filter((el) => row(el) === target).sort((a, b) => Math.abs(start(a) - start(current)) - Math.abs(start(b) - start(current)))[0];
  } else return;
  e.preventDefault();
  next?.focus();
}

// eslint-disable-next-line max-lines-per-function -- a React screen: its hooks stay in one body, and most of its length is the day's lanes in JSX
export function TodayScreen() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const now = useApp((s) => s.now);
  const today = zonedToday(tz, new Date(now));
  const [date, setDate] = useState<string | null>(null);
  const day = date ?? today;
  const from = startOfZonedDay(day, tz);
  const to = startOfZonedDay(addDays(day, 1), tz);
  const q = useQuery('bookings.list', { from, to, limit: 1000 }, ['bookings', 'intents']);

  const dayStart = Date.parse(from);
  const dayEnd = Date.parse(to);
  const blocks = new Map<string, Block[]>();
  for (const b of q.data?.items ?? []) {
    if (b.status === 'CANCELLED' || b.status === 'REFUNDED') continue;
    for (const i of b.items) {
      const s = Math.max(dayStart, Date.parse(i.startsAt));
      const e = Math.min(dayEnd, Date.parse(i.endsAt));
      if (e <= s) continue;
      blocks.set(i.offeringId, [...(blocks.get(i.offeringId) ?? []), { booking: b, itemId: i.id, start: s, end: e, lane: 0 }]);
    }
  }
  // Titles of the day's offerings only (every offering's title was 1.1 MB at 20k offerings, #16).
  const dayOfferings = [...blocks.keys()].sort().slice(0, 500);
  const offerings = useQuery('offerings.page', { ids: dayOfferings, limit: 500 }, ['offerings'], dayOfferings.length > 0);
  const all = [...blocks.values()].flat();
  const hour = 3_600_000;
  const lo = Math.min(dayStart + 7 * hour, ...all.map((b) => Math.floor((b.start - dayStart) / hour) * hour + dayStart));
  const hi = Math.max(dayStart + 21 * hour, ...all.map((b) => Math.ceil((b.end - dayStart) / hour) * hour + dayStart));
  const span = hi - lo;
  const pos = (ms: number) => `${((ms - lo) / span) * 100}%`;
  const ticks: number[] = [];
  for (let m = lo; m <= hi; m += hour) ticks.push(m);
  // Labels every hour would run together: at most about eight labels, on whole hours, whatever the width.
  const labelStep = Math.max(1, Math.ceil(ticks.length / 8));
  const hourLabel = (ms: number) => new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: tz }).format(new Date(ms));
  const titles = new Map((offerings.data?.items ?? []).map((o) => [o.id, o.title]));
  const rows = [...blocks.keys()].sort((a, b) => (titles.get(a) ?? a).localeCompare(titles.get(b) ?? b));
  const lanes = new Map(rows.map((oid) => [oid, assignLanes(blocks.get(oid) ?? [])]));
  const showNow = day === today && now >= lo && now <= hi;
  const dateLabel = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!rows.length) body = <Empty>{t('today.empty')}</Empty>;
  else
    body = (
      <section className="card dayline" aria-label={t('today.timeline', { date: dateLabel })} aria-describedby="today-keys" onKeyDown={onTimelineKey}>
        <div className="dayline-row dayline-axis" aria-hidden="true">
          <div className="dayline-label" />
          <div className="dayline-track">
            {ticks
              .filter((_, i) => i % labelStep === 0)
              .map((m) => (
                <span key={m} className="dayline-tick" style={{ left: pos(m) }}>
                  {hourLabel(m)}
                </span>
              ))}
          </div>
        </div>
        <ul className="plain">
          {rows.map((oid, rowIndex) => {
            const title = titles.get(oid) ?? blocks.get(oid)?.[0]?.booking.offeringTitle ?? oid;
            return (
              <li key={oid} className="dayline-row">
                <h2 className="dayline-label" title={title}>
                  {title}
                </h2>
                <ul className="dayline-track" style={{ height: `${lanes.get(oid)! * LANE + 8}px` }}>
                  {ticks.map((m) => (
                    <li key={m} className="dayline-grid" style={{ left: pos(m) }} aria-hidden="true" />
                  ))}
                  {(blocks.get(oid) ?? []).map((b) => (
                    <li key={b.itemId} className={`dayline-block status-${b.booking.status.toLowerCase()}`} style={{ left: pos(b.start), width: `calc(${((b.end - b.start) / span) * 100}% - 2px)`, top: `${4 + b.lane * LANE}px`, height: `${LANE - 4}px` }}>
                      {/* The name first: a short block still shows who it is; the whole line is the tooltip and the accessible name. */}
                      <a href={`#/booking/${encodeURIComponent(b.booking.id)}`} data-row={rowIndex} data-start={b.start} title={`${b.booking.customer.name} · ${formatTime(new Date(b.start).toISOString(), tz, locale)}–${formatTime(new Date(b.end).toISOString(), tz, locale)} · ${t(`bookingStatus.${b.booking.status}`)}`}>
                        <span className="dayline-name">{b.booking.customer.name}</span>{' '}
                        <span className="dayline-time">
                          {formatTime(new Date(b.start).toISOString(), tz, locale)}–{formatTime(new Date(b.end).toISOString(), tz, locale)}
                        </span>
                        <span className="sr-only"> · {t(`bookingStatus.${b.booking.status}`)}</span>
                      </a>
                    </li>
                  ))}
                  {showNow && <li className="nowline" style={{ left: pos(now) }} aria-label={`${t('today.now')} ${formatTime(new Date(now).toISOString(), tz, locale)}`} />}
                </ul>
              </li>
            );
          })}
        </ul>
      </section>
    );

  const legend = (
    <ul className="dayline-legend small" aria-label={t('today.legendTitle')}>
      {(['CONFIRMED', 'PENDING', 'COMPLETED'] as const).map((st) => (
        <li key={st}>
          <span className={`legend-swatch status-${st.toLowerCase()}`} aria-hidden="true" /> {t(`bookingStatus.${st}`)}
        </li>
      ))}
    </ul>
  );
  return (
    <div className="page">
      <PageHeader title={day === today ? t('today.title') : dateLabel} sub={<p className="muted">{`${dateLabel} · ${zoneLabel(tz, locale)}`}</p>}>
        <button type="button" className="btn" onClick={() => setDate(addDays(day, -1))} aria-label={t('today.prev')}>
          ←
        </button>
        <button type="button" className="btn" onClick={() => setDate(null)} disabled={day === today}>
          {t('today.today')}
        </button>
        <button type="button" className="btn" onClick={() => setDate(addDays(day, 1))} aria-label={t('today.next')}>
          →
        </button>
      </PageHeader>
      {rows.length > 0 && legend}
      {rows.length > 0 && (
        <p id="today-keys" className="muted small">
          {t('today.keys')}
        </p>
      )}
      {body}
    </div>
  );
}
