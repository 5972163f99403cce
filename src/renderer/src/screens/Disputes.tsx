/** Disputes learned from webhooks, linked to their booking and to the Orkestr portal. */
import { useTimezone } from '../components/bookingActions.tsx';
import { BookingStatusBadge, Empty, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { labelOr } from '../i18n/translate.ts';
import { formatMoney, formatRelative, formatSlot } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';

export function DisputesScreen() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const now = useApp((s) => s.now);
  const subdomain = useApp((s) => s.session?.tenant?.subdomain ?? null);
  const q = useQuery('disputes.list', {}, ['disputes', 'bookings']);
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data?.length) body = <Empty>{t('disputes.empty')}</Empty>;
  else
    body = (
      <ul className="stack plain">
        {q.data.map((d) => (
          <li key={d.id}>
            <article className="card" aria-labelledby={`d-${d.id}`}>
              <header className="card-head">
                <h2 id={`d-${d.id}`} className="h2">
                  {d.reason}
                </h2>
                <span className="chip chip-warn">{labelOr(t, `disputeStatus.${d.status}`, d.status)}</span>
              </header>
              <p className="muted small">
                {t('disputes.opened', { when: formatRelative(d.openedAt, now, locale, true) })} · {d.id}
              </p>
              <div className="dispute-booking">
                <h3 className="h3">{t('disputes.booking')}</h3>
                {d.booking ? (
                  <p>
                    <a className="strong-link" href={`#/booking/${encodeURIComponent(d.booking.id)}`}>
                      {d.booking.customer.name} · {d.booking.offeringTitle}
                    </a>{' '}
                    <BookingStatusBadge status={d.booking.status} /> · {d.booking.items[0] ? formatSlot(d.booking.items[0].startsAt, d.booking.items[0].endsAt, tz, locale) : ''} · {formatMoney(d.booking.totalCents, d.booking.currency, locale)}
                  </p>
                ) : (
                  <p className="muted">
                    {t('disputes.noBooking')} ({d.bookingId})
                  </p>
                )}
              </div>
              {subdomain && (
                <div className="card-actions">
                  <a className="btn" href={`https://${subdomain}.orkestr.in/provider/disputes/${encodeURIComponent(d.id)}`} target="_blank" rel="noopener noreferrer" aria-label={t('disputes.openPortalLabel', { id: d.id })}>
                    {t('disputes.openPortal')} <span aria-hidden="true">↗</span>
                  </a>
                </div>
              )}
            </article>
          </li>
        ))}
      </ul>
    );
  return (
    <div className="page">
      <PageHeader title={t('disputes.title')} />
      {body}
    </div>
  );
}
