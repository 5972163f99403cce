/** A day timeline: one row per offering, bookings as blocks positioned by time, and a now-line. */
import { useState } from 'react';
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
}

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
  const offerings = useQuery('offerings.list', {}, ['offerings']);

  const dayStart = Date.parse(from);
  const dayEnd = Date.parse(to);
  const blocks = new Map<string, Block[]>();
  for (const b of q.data?.items ?? []) {
    if (b.status === 'CANCELLED' || b.status === 'REFUNDED') continue;
    for (const i of b.items) {
      const s = Math.max(dayStart, Date.parse(i.startsAt));
      const e = Math.min(dayEnd, Date.parse(i.endsAt));
      if (e <= s) continue;
      blocks.set(i.offeringId, [...(blocks.get(i.offeringId) ?? []), { booking: b, itemId: i.id, start: s, end: e }]);
    }
  }
  const all = [...blocks.values()].flat();
  const hour = 3_600_000;
  const lo = Math.min(dayStart + 7 * hour, ...all.map((b) => Math.floor((b.start - dayStart) / hour) * hour + dayStart));
  const hi = Math.max(dayStart + 21 * hour, ...all.map((b) => Math.ceil((b.end - dayStart) / hour) * hour + dayStart));
  const span = hi - lo;
  const pos = (ms: number) => `${((ms - lo) / span) * 100}%`;
  const ticks: number[] = [];
  for (let m = lo; m <= hi; m += hour) ticks.push(m);
  const titles = new Map((offerings.data ?? []).map((o) => [o.id, o.title]));
  const rows = [...blocks.keys()].sort((a, b) => (titles.get(a) ?? a).localeCompare(titles.get(b) ?? b));
  const showNow = day === today && now >= lo && now <= hi;
  const dateLabel = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!rows.length) body = <Empty>{t('today.empty')}</Empty>;
  else
    body = (
      <section className="card dayline" aria-label={t('today.timeline', { date: dateLabel })}>
        <div className="dayline-row dayline-axis" aria-hidden="true">
          <div className="dayline-label" />
          <div className="dayline-track">
            {ticks.map((m) => (
              <span key={m} className="dayline-tick" style={{ left: pos(m) }}>
                {formatTime(new Date(m).toISOString(), tz, locale)}
              </span>
            ))}
          </div>
        </div>
        <ul className="plain">
          {rows.map((oid) => {
            const title = titles.get(oid) ?? blocks.get(oid)?.[0]?.booking.offeringTitle ?? oid;
            return (
              <li key={oid} className="dayline-row">
                <h3 className="dayline-label" title={title}>
                  {title}
                </h3>
                <ul className="dayline-track">
                  {ticks.map((m) => (
                    <li key={m} className="dayline-grid" style={{ left: pos(m) }} aria-hidden="true" />
                  ))}
                  {(blocks.get(oid) ?? []).map((b) => (
                    <li key={b.itemId} className={`dayline-block status-${b.booking.status.toLowerCase()}`} style={{ left: pos(b.start), width: `calc(${((b.end - b.start) / span) * 100}% - 2px)` }}>
                      <a href={`#/booking/${encodeURIComponent(b.booking.id)}`} title={`${b.booking.customer.name} · ${t(`bookingStatus.${b.booking.status}`)}`}>
                        <span className="dayline-time">
                          {formatTime(new Date(b.start).toISOString(), tz, locale)}–{formatTime(new Date(b.end).toISOString(), tz, locale)}
                        </span>{' '}
                        <span className="dayline-name">{b.booking.customer.name}</span>
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

  return (
    <div className="page">
      <PageHeader title={day === today ? t('today.title') : dateLabel} sub={<p className="muted">{`${dateLabel} · ${zoneLabel(tz, locale)} · ${t('today.legend')}`}</p>}>
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
      {body}
    </div>
  );
}
