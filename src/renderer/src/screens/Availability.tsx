/** Weekly hours of one offering as a grid (days × time), plus BLOCK/OPEN exceptions. Read-only. */
import { useEffect, useId, useState } from 'react';
import type { AvailabilityRuleView } from '../../../shared/contract/types.ts';
import { OfferingCombobox } from '../components/OfferingCombobox.tsx';
import { Empty, ErrorState, Loading } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { useQuery } from '../lib/useQuery.ts';
import './availability.css';

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};
const displayOrder = [1, 2, 3, 4, 5, 6, 0];

function dayName(dow: number, locale: string, style: 'long' | 'short'): string {
  // 2023-01-01 was a Sunday.
  return new Intl.DateTimeFormat(locale, { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + dow)));
}

// eslint-disable-next-line max-lines-per-function -- a React screen: its hooks stay in one body, and most of its length is the week grid's JSX
export function AvailabilityTab() {
  const { t, locale } = useT();
  // The first offering to show; the picker finds the others by search (20k options at 20k offerings, #16).
  const offerings = useQuery('offerings.page', { limit: 1 }, ['offerings']);
  const list = offerings.data?.items ?? [];
  const fieldId = useId();
  const [offeringId, setOfferingId] = useState('');
  useEffect(() => {
    if (!offeringId && list[0]) setOfferingId(list[0].id);
  }, [offeringId, list]);
  const av = useQuery('availability.get', { offeringId: offeringId || 'none' }, ['availability'], Boolean(offeringId));

  if (offerings.loading && !offerings.data) return <Loading />;
  if (offerings.error && !offerings.data) return <ErrorState error={offerings.error} onRetry={offerings.reload} />;
  if (!list.length) return <Empty>{t('offerings.empty')}</Empty>;

  let grid;
  if (!offeringId) grid = <Empty>{t('availability.pick')}</Empty>;
  else if (av.loading && !av.data) grid = <Loading />;
  else if (av.error && !av.data) grid = <ErrorState error={av.error} onRetry={av.reload} />;
  else if (av.data) {
    const rules = av.data.rules;
    const lo = rules.length ? Math.floor(Math.min(...rules.map((r) => minutes(r.startTime))) / 60) * 60 : 8 * 60;
    const hi = rules.length ? Math.ceil(Math.max(...rules.map((r) => minutes(r.endTime))) / 60) * 60 : 18 * 60;
    const span = Math.max(60, hi - lo);
    const hours: number[] = [];
    for (let m = lo; m <= hi; m += 60) hours.push(m);
    const byDay = new Map<number, AvailabilityRuleView[]>();
    for (const r of rules) byDay.set(r.dayOfWeek, [...(byDay.get(r.dayOfWeek) ?? []), r]);
    grid = (
      <>
        <p className="muted small">
          {t('availability.timezone', { tz: av.data.timezone })} · {t('availability.readOnly')}
        </p>
        <section className="card" aria-labelledby="av-weekly">
          <h2 id="av-weekly" className="h2">
            {t('availability.weekly')}
          </h2>
          {rules.length === 0 ? (
            <p className="muted">{t('availability.noRules')}</p>
          ) : (
            <div className="week">
              <div className="week-axis" aria-hidden="true">
                {hours.map((m) => (
                  <span key={m} className="week-hour" style={{ top: `${((m - lo) / span) * 100}%` }}>
                    {String(Math.floor(m / 60)).padStart(2, '0')}:00
                  </span>
                ))}
              </div>
              <ul className="week-days">
                {displayOrder.map((dow) => (
                  <li key={dow} className="week-day">
                    <h3 className="week-day-name">
                      <abbr title={dayName(dow, locale, 'long')}>{dayName(dow, locale, 'short')}</abbr>
                    </h3>
                    <ul className="week-col">
                      {(byDay.get(dow) ?? []).map((r) => (
                        <li key={r.id} className="week-block" style={{ top: `${((minutes(r.startTime) - lo) / span) * 100}%`, height: `${((minutes(r.endTime) - minutes(r.startTime)) / span) * 100}%` }}>
                          <span className="week-block-time">
                            {r.startTime}–{r.endTime}
                          </span>
                          <span className="week-block-meta">
                            {r.slotMinutes}′ × {r.capacity}
                          </span>
                          <span className="sr-only">{t('availability.rule', { start: r.startTime, end: r.endTime, slot: r.slotMinutes, cap: r.capacity })}</span>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="av-exc">
          <h2 id="av-exc" className="h2">
            {t('availability.exceptions')}
          </h2>
          {av.data.exceptions.length === 0 ? (
            <p className="muted">{t('availability.noExceptions')}</p>
          ) : (
            <ul className="plain-list">
              {av.data.exceptions.map((x) => (
                <li key={x.id}>
                  <span className={x.kind === 'BLOCK' ? 'chip chip-danger' : 'chip chip-ok'}>{x.kind === 'BLOCK' ? t('availability.block') : t('availability.open')}</span>{' '}
                  <strong>{new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${x.date}T12:00:00Z`))}</strong> · {x.startTime && x.endTime ? `${x.startTime}–${x.endTime}` : t('availability.allDay')}
                  {x.reason && <span className="muted"> · {x.reason}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </>
    );
  }

  return (
    <section aria-label={t('catalogue.availability')}>
      <div className="toolbar">
        <div className="filter">
          <label htmlFor={fieldId}>{t('availability.offering')}</label>
          <OfferingCombobox id={fieldId} value={offeringId} onChange={setOfferingId} />
        </div>
      </div>
      {grid}
    </section>
  );
}
