/** Needs attention: what the console asked vs the server's truth, with retry / discard / take server. */
import { useState } from 'react';
import type { ConflictView } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { Empty, ErrorState, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useTimezone } from '../components/bookingActions.tsx';
import { useT } from '../i18n/index.ts';
import { compareRecords, conflictReason, conflictTitle } from '../lib/conflictFields.ts';
import { coreText } from '../lib/coreMessage.ts';
import { formatRelative } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import './attention.css';

const tables = ['conflicts', 'intents', 'bookings', 'offerings', 'coupons'] as const;

/** The curated side-by-side: one row per field a person compares; differing rows are marked. */
function Comparison({ c }: { c: ConflictView }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  const currency = useApp((s) => s.session?.tenant?.displayCurrency ?? 'USD');
  const rows = compareRecords(c.intent.kind, c.local, c.server, { t, locale, tz, currency });
  const summary = coreText(c.summaryMessage, c.summary, { t, locale, tz });
  const serverKnown = c.server !== null && c.server !== undefined;
  return (
    <>
      {!serverKnown && <p className="muted">{t('attention.serverUnknown')}</p>}
      <div className="table-wrap">
        <table className="table compare-table">
          <caption className="sr-only">{t('attention.comparison', { summary })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('attention.field')}</th>
              <th scope="col">{t('attention.asked')}</th>
              {serverKnown && <th scope="col">{t('attention.server')}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} className={r.differs ? 'compare-diff' : undefined}>
                <th scope="row">
                  {r.label}
                  {r.differs && <span className="chip chip-diff">{t('attention.changed')}</span>}
                </th>
                <td>{r.asked}</td>
                {serverKnown && <td>{r.server}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="technical">
        <summary>{t('attention.technical')}</summary>
        <p className="muted small">
          {summary} · {t('attention.code', { code: c.code, status: c.httpStatus })} · {c.message}
        </p>
        <div className="side-by-side">
          <section>
            <h3 className="h3">{t('attention.rawAsked')}</h3>
            <pre className="pre" tabIndex={0}>{JSON.stringify(c.local, null, 2)}</pre>
          </section>
          <section>
            <h3 className="h3">{t('attention.rawServer')}</h3>
            <pre className="pre" tabIndex={0}>{JSON.stringify(c.server, null, 2)}</pre>
          </section>
        </div>
      </details>
    </>
  );
}

function ConflictCard({ c }: { c: ConflictView }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  const now = useApp((s) => s.now);
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const resolve = async (choice: 'retry' | 'discard' | 'takeServer') => {
    setBusy(true);
    try {
      await api.call('conflicts.resolve', { id: c.id, choice });
      toast({ kind: 'success', message: t('attention.resolved') });
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };
  const title = conflictTitle(c.intent.kind, c.local, c.server, t, coreText(c.summaryMessage, c.summary, { t, locale, tz }));
  const bookingLink = c.intent.kind.startsWith('booking.') ? `#/booking/${encodeURIComponent(c.intent.targetId)}` : null;
  return (
    <article className="card conflict" aria-labelledby={`c-${c.id}`}>
      <header className="card-head">
        <h2 id={`c-${c.id}`} className="h2">
          {bookingLink ? <a href={bookingLink}>{title}</a> : title}
        </h2>
        <span className="muted small">{formatRelative(c.createdAt, Math.max(now, Date.now()), locale, true)}</span>
      </header>
      <p className="notice notice-danger">{conflictReason(c.code, c.message, c.server, t)}</p>
      <Comparison c={c} />
      <div className="card-actions">
        <span className="muted small">{t('attention.attempts', { n: c.intent.attempts })}</span>
        <button type="button" className="btn" disabled={busy} onClick={() => void resolve('retry')}>
          {t('attention.retry')}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void resolve('discard')}>
          {t('attention.discard')}
        </button>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void resolve('takeServer')}>
          {t('attention.takeServer')}
        </button>
      </div>
    </article>
  );
}

export function AttentionScreen() {
  const { t } = useT();
  const q = useQuery('conflicts.list', {}, tables);
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!q.data?.length) body = <Empty>{t('attention.empty')}</Empty>;
  else
    body = (
      <div className="stack">
        {q.data.map((c) => (
          <ConflictCard key={c.id} c={c} />
        ))}
      </div>
    );
  return (
    <div className="page">
      <PageHeader title={t('attention.title')} sub={<p>{t('attention.intro')}</p>} />
      {body}
    </div>
  );
}
