/** Needs attention: what the console asked vs the server's truth, with retry / discard / take server. */
import { useState } from 'react';
import type { ConflictView } from '../../../shared/contract.ts';
import { api } from '../api.ts';
import { Empty, ErrorState, Loading, PageHeader, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { formatRelative } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';

const tables = ['conflicts', 'intents', 'bookings', 'offerings', 'coupons'] as const;

/** Shows a record as a two-column list; the keys that differ from `other` are highlighted. */
function RecordView({ value, other, emptyText }: { value: unknown; other: unknown; emptyText: string }) {
  if (value === null || value === undefined) return <p className="muted">{emptyText}</p>;
  if (typeof value !== 'object') return <pre className="pre">{JSON.stringify(value, null, 2)}</pre>;
  const o = (other && typeof other === 'object' ? other : {}) as Record<string, unknown>;
  const entries = Object.entries(value as Record<string, unknown>);
  return (
    <dl className="kv">
      {entries.map(([k, v]) => {
        const differs = JSON.stringify(v) !== JSON.stringify(o[k]);
        return (
          <div key={k} className={differs ? 'kv-row kv-diff' : 'kv-row'}>
            <dt>{k}</dt>
            <dd>{typeof v === 'object' && v !== null ? <code>{JSON.stringify(v)}</code> : String(v)}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function ConflictCard({ c }: { c: ConflictView }) {
  const { t, locale } = useT();
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
  const bookingLink = c.intent.kind.startsWith('booking.') ? `#/booking/${encodeURIComponent(c.intent.targetId)}` : null;
  return (
    <article className="card conflict" aria-labelledby={`c-${c.id}`}>
      <header className="card-head">
        <h2 id={`c-${c.id}`} className="h2">
          {bookingLink ? <a href={bookingLink}>{c.summary}</a> : c.summary}
        </h2>
        <span className="muted small">{formatRelative(c.createdAt, now, locale)}</span>
      </header>
      <p className="notice notice-danger">{t('attention.error', { code: c.code, status: c.httpStatus, message: c.message })}</p>
      <div className="side-by-side">
        <section aria-label={t('attention.asked')}>
          <h3 className="h3">{t('attention.asked')}</h3>
          <RecordView value={c.local} other={c.server} emptyText="—" />
        </section>
        <section aria-label={t('attention.server')}>
          <h3 className="h3">{t('attention.server')}</h3>
          <RecordView value={c.server} other={c.local} emptyText={t('attention.serverUnknown')} />
        </section>
      </div>
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
