/** Activity feed (webhooks, sync events) with read/unread. */
import { api } from '../api.ts';
import { useTimezone } from '../components/bookingActions.tsx';
import { Empty, ErrorState, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { labelOr } from '../i18n/translate.ts';
import { coreText } from '../lib/coreMessage.ts';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import './activity.css';

export function ActivityScreen() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const now = useApp((s) => s.now);
  const toast = useApp((s) => s.toast);
  const q = useQuery('activity.list', { limit: 200 }, ['activity']);
  const unread = (q.data ?? []).filter((a) => !a.read);
  const mark = async (ids: string[]) => {
    try {
      await api.call('activity.markRead', { ids });
      q.reload();
      void useApp.getState().refreshCounts();
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    }
  };
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data?.length) body = <Empty>{t('activity.empty')}</Empty>;
  else
    body = (
      <ol className="activity">
        {q.data.map((a) => (
          <li key={a.id} className={a.read ? 'activity-item' : 'activity-item activity-unread'}>
            <span className="activity-dot" aria-hidden="true" />
            <div className="activity-main">
              <div>
                {!a.read && <span className="sr-only">{t('activity.unread')}: </span>}
                <span className="chip chip-kind" title={a.event}>{labelOr(t, `activity.event.${a.event}`, a.event)}</span> {coreText(a.summaryMessage, a.summary, { t, locale, tz })}
              </div>
              <time className="muted small" dateTime={a.at} title={formatDateTime(a.at, tz, locale)}>
                {formatRelative(a.at, now, locale, true)}
              </time>
            </div>
            <div className="row-actions">
              {a.bookingId && (
                <a className="btn btn-small btn-ghost" href={`#/booking/${encodeURIComponent(a.bookingId)}`}>
                  {t('activity.viewBooking')}
                </a>
              )}
              {!a.read && (
                <button type="button" className="btn btn-small" onClick={() => void mark([a.id])}>
                  {t('activity.markRead')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    );
  return (
    <div className="page">
      <PageHeader title={t('activity.title')}>
        <button type="button" className="btn" disabled={!unread.length} onClick={() => void mark(unread.map((a) => a.id))}>
          {t('activity.markAllRead')}
        </button>
      </PageHeader>
      {body}
    </div>
  );
}
