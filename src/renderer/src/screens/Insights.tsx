/** Marketplace score (an estimate computed from the replica), its three inputs as bars, the one lever to pull, and how each input is computed. */
import { Empty, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { useQuery } from '../lib/useQuery.ts';
import { RulesInsights } from './RulesInsights.tsx';
import './insights.css';

function Bar({ label, value, detail, contribution, highlight }: { label: string; value: number; detail: string; contribution: string; highlight: boolean }) {
  // Rates are fractions (0–1); tolerate a core that sends percentages.
  const pct = Math.max(0, Math.min(100, Math.round(value > 1 ? value : value * 100)));
  return (
    <div className={highlight ? 'metric metric-lever' : 'metric'}>
      <div className="metric-head">
        <span className="metric-label">{label}</span>
        <span className="metric-value">{pct}%</span>
      </div>
      <div className="meter meter-lg" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
        <span className="meter-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="muted small">
        {detail} · {contribution}
      </div>
    </div>
  );
}

// eslint-disable-next-line max-lines-per-function -- a React screen: its hooks stay in one body, and most of its length is the score and levers' JSX
export function InsightsScreen() {
  const { t, locale } = useT();
  const q = useQuery('insights.get', {}, ['bookings', 'offerings', 'activity']);
  const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  // The core reports score and contributions as fractions (0–1); show them as points out of 100.
  const pts = (x: number) => (x <= 1 ? x * 100 : x);
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data) body = <Empty>{t('common.empty')}</Empty>;
  else {
    const d = q.data;
    const ratingValue = d.rating.average === null ? 0 : d.rating.average / 5;
    body = (
      <div className="insights">
        <section className="card score-card" aria-labelledby="ins-score">
          <h2 id="ins-score" className="h2">
            {t('insights.score')} <span className="chip chip-warn">{t('insights.estimate')}</span>
          </h2>
          <p className="muted small">{t('insights.estimateNote')}</p>
          <p className="score">
            <span className="score-num">{Math.round(pts(d.score))}</span>
            <span className="score-of">/ 100</span>
          </p>
          <div className="meter meter-lg" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pts(d.score))} aria-label={t('insights.score')}>
            <span className="meter-fill" style={{ width: `${Math.max(0, Math.min(100, pts(d.score)))}%` }} />
          </div>
          <p className="muted small">
            {d.window.from === null
              ? t('insights.windowAll')
              : t('insights.windowFrom', { date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(d.window.from)), n: d.window.retainPastDays ?? 0 })}
          </p>
        </section>
        <section className="card" aria-labelledby="ins-inputs">
          <h2 id="ins-inputs" className="sr-only">
            {t('insights.title')}
          </h2>
          <Bar
            label={t('insights.rating')}
            value={ratingValue}
            detail={d.rating.average === null ? t('insights.noRating') : t('insights.ratingDetail', { avg: nf.format(d.rating.average), n: d.rating.reviews })}
            contribution={t('insights.contribution', { n: nf.format(pts(d.rating.contribution)), max: 50 })}
            highlight={d.lever === 'rating'}
          />
          <Bar
            label={t('insights.responseRate')}
            value={d.responseRate.value}
            detail={t('insights.responseDetail', { answered: d.responseRate.answered, n: d.responseRate.total })}
            contribution={t('insights.contribution', { n: nf.format(pts(d.responseRate.contribution)), max: 30 })}
            highlight={d.lever === 'responseRate'}
          />
          <Bar
            label={t('insights.confirmationRate')}
            value={d.confirmationRate.value}
            detail={t('insights.confirmationDetail', { confirmed: d.confirmationRate.confirmed, decided: d.confirmationRate.decided })}
            contribution={t('insights.contribution', { n: nf.format(pts(d.confirmationRate.contribution)), max: 20 })}
            highlight={d.lever === 'confirmationRate'}
          />
        </section>
        <section className="card lever-card" aria-labelledby="ins-lever">
          <h2 id="ins-lever" className="h2">
            {t('insights.lever')}
          </h2>
          <p className="lever">{t(`insights.lever.${d.lever}`)}</p>
        </section>
        <RulesInsights />
        <section className="card insights-how-card" aria-labelledby="ins-how">
          <h2 id="ins-how" className="h2">
            {t('insights.how')}
          </h2>
          <ul className="insights-how">
            <li>{t('insights.how.rating')}</li>
            <li>{t('insights.how.response')}</li>
            <li>{t('insights.how.confirmation')}</li>
          </ul>
        </section>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={t('insights.title')} />
      {body}
    </div>
  );
}
