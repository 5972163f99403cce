/** Reviews the platform told about (`review.created`), newest first, beside each offering's rating. */
import { useState } from 'react';
import { useTimezone } from '../components/bookingActions.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { formatDateTime } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import './reviews.css';

function Stars({ rating }: { rating: number }) {
  const { t } = useT();
  const n = Math.max(0, Math.min(5, Math.round(rating)));
  return (
    <span className="stars" role="img" aria-label={t('reviews.stars', { n })}>
      <span aria-hidden="true">{'★'.repeat(n)}</span>
      <span aria-hidden="true" className="stars-off">
        {'★'.repeat(5 - n)}
      </span>
    </span>
  );
}

// eslint-disable-next-line max-lines-per-function -- a React screen: its hooks stay in one body, and most of its length is the list's JSX
export function ReviewsScreen() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const [offeringId, setOfferingId] = useState('');
  const q = useQuery('reviews.list', offeringId ? { offeringId, limit: 500 } : { limit: 500 }, ['activity', 'offerings']);
  const nf = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data) body = <Empty>{t('common.empty')}</Empty>;
  else {
    const d = q.data;
    body = (
      <div className="reviews">
        <section className="card" aria-labelledby="rev-list">
          <div className="card-head">
            <h2 id="rev-list" className="h2">
              {t('reviews.latest')}
            </h2>
            <label className="reviews-filter">
              <span>{t('reviews.offering')}</span>
              <select value={offeringId} onChange={(e) => setOfferingId(e.currentTarget.value)}>
                <option value="">{t('reviews.allOfferings')}</option>
                {d.offerings.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.title}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {d.items.length === 0 ? (
            <Empty>{t('reviews.empty')}</Empty>
          ) : (
            <table className="table">
              <caption className="sr-only">{t('reviews.caption', { n: d.total })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reviews.rating')}</th>
                  <th scope="col">{t('reviews.offering')}</th>
                  <th scope="col">{t('reviews.review')}</th>
                  <th scope="col">{t('reviews.date')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Stars rating={r.rating} />
                    </td>
                    <td>{r.offeringTitle ?? <span className="muted">{r.offeringId}</span>}</td>
                    <td className="review-body">{r.body?.trim() ? r.body : <span className="muted">{t('reviews.noText')}</span>}</td>
                    <td className="nowrap">{formatDateTime(r.createdAt, tz, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {d.total > d.items.length && <p className="muted">{t('reviews.shown', { shown: d.items.length, n: d.total })}</p>}
        </section>
        <section className="card" aria-labelledby="rev-aggregates">
          <h2 id="rev-aggregates" className="h2">
            {t('reviews.byOffering')}
          </h2>
          <p className="muted small">{t('reviews.aggregateNote')}</p>
          {d.offerings.length === 0 ? (
            <Empty>{t('reviews.noneYet')}</Empty>
          ) : (
            <ul className="plain review-aggregates">
              {d.offerings.map((o) => (
                <li key={o.id}>
                  <span className="review-aggregate-title">{o.title}</span>
                  <span className="review-aggregate-value">
                    {o.ratingAverage === null ? '—' : `${nf.format(o.ratingAverage)} ★`} <span className="muted">· {t('reviews.count', { n: o.reviewCount })}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={t('reviews.title')} sub={t('reviews.sub')} />
      {body}
    </div>
  );
}
