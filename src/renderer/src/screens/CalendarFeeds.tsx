/**
 * Settings → Calendar: subscription feeds (add, rotate, revoke; the secret URL is shown once) and a
 * one-off `.ics` export for a date range.
 */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { CalendarFeedSecret, CalendarFeedView } from '../../../shared/contract/types.ts';
import { api, transportKind } from '../api.ts';
import { OfferingChecklist, useAnyOffering } from '../components/OfferingChecklist.tsx';
import { Dialog, ErrorState, Field, Loading, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { addDays, formatDateTime, startOfZonedDay, zonedToday } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { downloadText } from '../lib/download.ts';
import './calendar-feeds.css';

function feedUrl(localPath: string): string | null {
  return transportKind === 'bridge' ? `${window.location.origin}${localPath}` : null;
}

// eslint-disable-next-line max-lines-per-function -- a React card: the list, the new secret and the rotate/revoke confirmation share its state
export function CalendarFeedsCard() {
  const { t, locale } = useT();
  const tz = useApp((s) => s.session?.tenant?.timezone ?? 'UTC');
  const q = useQuery('feeds.list', {}, ['feeds']);
  const [secret, setSecret] = useState<CalendarFeedSecret | null>(null);
  const [confirm, setConfirm] = useState<{ feed: CalendarFeedView; action: 'rotate' | 'revoke' } | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useApp((s) => s.toast);

  const act = async () => {
    if (!confirm) return;
    setBusy(true);
    try {
      if (confirm.action === 'rotate') {
        setSecret(await api.call('feeds.rotate', { id: confirm.feed.id }));
        toast({ kind: 'success', message: t('feeds.rotated', { name: confirm.feed.name }) });
      } else {
        await api.call('feeds.revoke', { id: confirm.feed.id });
        if (secret?.feed.id === confirm.feed.id) setSecret(null);
        toast({ kind: 'success', message: t('feeds.revoked', { name: confirm.feed.name }) });
      }
      q.reload();
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const feeds = q.data ?? [];
  return (
    <section className="card" aria-labelledby="set-calendar">
      <h2 id="set-calendar" className="h2">
        {t('feeds.title')}
      </h2>
      <p className="muted">{t('feeds.intro')}</p>
      {secret && <SecretPanel secret={secret} onDone={() => setSecret(null)} />}
      {q.loading && !q.data ? (
        <Loading />
      ) : q.error && !q.data ? (
        <ErrorState error={q.error} onRetry={q.reload} />
      ) : feeds.length === 0 ? (
        <p className="muted feeds-empty">{t('feeds.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{t('feeds.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('feeds.col.name')}</th>
                <th scope="col">{t('feeds.col.includes')}</th>
                <th scope="col">{t('feeds.col.created')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {feeds.map((f) => (
                <tr key={f.id}>
                  <th scope="row" className="import-header-cell">{f.name}</th>
                  <td>
                    {f.filters.includePending ? t('feeds.withPending') : t('feeds.confirmedOnly')}
                    {' · '}
                    {f.filters.offeringIds.length ? t('feeds.someOfferings', { n: f.filters.offeringIds.length }) : t('feeds.allOfferings')}
                    {' · '}
                    {t('feeds.pastDays', { n: f.filters.pastDays })}
                  </td>
                  <td>{formatDateTime(f.createdAt, tz, locale)}</td>
                  <td className="feeds-actions">
                    <div className="row-actions">
                      <button type="button" className="btn btn-small" onClick={() => setConfirm({ feed: f, action: 'rotate' })} aria-label={t('feeds.rotateNamed', { name: f.name })}>
                        {t('feeds.rotate')}
                      </button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirm({ feed: f, action: 'revoke' })} aria-label={t('feeds.revokeNamed', { name: f.name })}>
                        {t('feeds.revoke')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddFeedForm
        onAdded={(s) => {
          setSecret(s);
          q.reload();
        }}
      />
      <ExportForm />
      {confirm && (
        <Dialog
          title={confirm.action === 'rotate' ? t('feeds.rotateTitle', { name: confirm.feed.name }) : t('feeds.revokeTitle', { name: confirm.feed.name })}
          onClose={() => setConfirm(null)}
          describedBy="feeds-confirm-desc"
          footer={
            <>
              <button type="button" className="btn" onClick={() => setConfirm(null)} data-autofocus>
                {t('common.cancel')}
              </button>
              <button type="button" className={confirm.action === 'rotate' ? 'btn btn-primary' : 'btn btn-danger'} onClick={() => void act()} disabled={busy}>
                {confirm.action === 'rotate' ? t('feeds.rotate') : t('feeds.revoke')}
              </button>
            </>
          }
        >
          <p id="feeds-confirm-desc">{confirm.action === 'rotate' ? t('feeds.rotateExplain') : t('feeds.revokeExplain')}</p>
        </Dialog>
      )}
    </section>
  );
}

function SecretPanel({ secret, onDone }: { secret: CalendarFeedSecret; onDone: () => void }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const url = feedUrl(secret.localPath);
  const urlId = useId();
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast({ kind: 'success', message: t('feeds.copied') });
    } catch {
      toast({ kind: 'error', message: t('feeds.copyFailed') });
    }
  };
  return (
    <div className="feeds-secret" role="region" aria-labelledby={`${urlId}-title`}>
      <h3 id={`${urlId}-title`} className="feeds-secret-title">
        {t('feeds.secretTitle', { name: secret.feed.name })}
      </h3>
      <p>{t('feeds.secretOnce')}</p>
      {url ? (
        <>
          <label htmlFor={urlId} className="feeds-label">
            {t('feeds.url')}
          </label>
          <input id={urlId} className="feeds-url" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <div className="card-actions feeds-secret-actions">
            <button type="button" className="btn btn-primary" onClick={() => void copy(url)}>
              {t('feeds.copyUrl')}
            </button>
            <a className="btn" href={url.replace(/^https?:/, 'webcal:')}>
              {t('feeds.webcal')}
            </a>
            <button type="button" className="btn btn-ghost" onClick={onDone}>
              {t('feeds.done')}
            </button>
          </div>
          <p className="small muted">{t('feeds.localOnly')}</p>
        </>
      ) : (
        <>
          <label htmlFor={urlId} className="feeds-label">
            {t('feeds.path')}
          </label>
          <input id={urlId} className="feeds-url" type="text" readOnly value={secret.localPath} onFocus={(e) => e.currentTarget.select()} />
          <p className="small">{t('feeds.electronExplain')}</p>
          <div className="card-actions feeds-secret-actions">
            <button type="button" className="btn btn-primary" onClick={() => void copy(secret.localPath)}>
              {t('feeds.copyPath')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={onDone}>
              {t('feeds.done')}
            </button>
          </div>
        </>
      )}
      {secret.feed.publicUrl && (
        <p className="small">
          {t('feeds.publicUrl')} <code className="code">{secret.feed.publicUrl}</code>
        </p>
      )}
    </div>
  );
}

function AddFeedForm({ onAdded }: { onAdded: (s: CalendarFeedSecret) => void }) {
  const { t } = useT();
  const anyOffering = useAnyOffering();
  const [name, setName] = useState('');
  const [includePending, setIncludePending] = useState(false);
  const [all, setAll] = useState(true);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError(t('field.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await api.call('feeds.add', { name: name.trim(), filters: { includePending, offeringIds: all ? [] : [...picked] } });
      setName('');
      setPicked(new Set());
      setAll(true);
      setIncludePending(false);
      onAdded(s);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form feeds-add" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="h3">{t('feeds.add')}</h3>
      <div className="form-row">
        <Field label={t('feeds.name')} error={error} hint={t('feeds.nameHint')}>
          {(p) => <input {...p} type="text" value={name} maxLength={200} onChange={(e) => setName(e.currentTarget.value)} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={includePending} onChange={(e) => setIncludePending(e.currentTarget.checked)} />
        {t('feeds.includePending')}
      </label>
      <fieldset className="radio-group">
        <legend>{t('feeds.offerings')}</legend>
        <label className="radio">
          <input type="radio" name="feed-offerings" checked={all} onChange={() => setAll(true)} />
          {t('feeds.allOfferings')}
        </label>
        <label className="radio">
          <input type="radio" name="feed-offerings" checked={!all} onChange={() => setAll(false)} disabled={!anyOffering} />
          {t('feeds.chooseOfferings')}
        </label>
        {!all && <OfferingChecklist picked={picked} onChange={setPicked} label={t('feeds.chooseOfferings')} />}
      </fieldset>
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary" disabled={busy || (!all && picked.size === 0)}>
          {t('feeds.create')}
        </button>
      </div>
    </form>
  );
}

/** What the replica holds (settings.retainPastDays): the calendar says which window it covers. */
function windowText(t: ReturnType<typeof useT>['t'], locale: string, retainPastDays: number | null): string {
  if (retainPastDays === null) return t('feeds.windowAll');
  const dayMs = 86_400_000;
  const from = new Date(Math.floor(Date.now() / dayMs) * dayMs - retainPastDays * dayMs);
  return t('feeds.windowFrom', { date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(from), n: retainPastDays });
}

function ExportForm() {
  const { t, locale } = useT();
  const tz = useApp((s) => s.session?.tenant?.timezone ?? 'UTC');
  const retainPastDays = useApp((s) => s.settings?.retainPastDays ?? null);
  const coverage = windowText(t, locale, retainPastDays);
  const toast = useApp((s) => s.toast);
  const today = zonedToday(tz);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 30));
  const [includePending, setIncludePending] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (from && to && to < from) {
      setError(t('feeds.rangeInvalid'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const r = await api.call('calendar.export', {
        ...(from ? { from: startOfZonedDay(from, tz) } : {}),
        ...(to ? { to: startOfZonedDay(addDays(to, 1), tz) } : {}),
        includePending,
      });
      // Named after the dates the user chose (the core names it after the UTC instants).
      // Asked without `toFile`, so the text is in the answer.
      if (r.ics !== null) downloadText(from || to ? `bookings-${from || 'start'}_${to || 'end'}.ics` : r.fileName, r.ics, 'text/calendar;charset=utf-8');
      toast({ kind: 'success', message: t('feeds.exported', { n: r.events }) });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form feeds-export" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="h3">{t('feeds.export')}</h3>
      <p className="muted small">{coverage}</p>
      <div className="form-row">
        <Field label={t('feeds.from')}>{(p) => <input {...p} type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />}</Field>
        <Field label={t('feeds.to')} error={error}>
          {(p) => <input {...p} type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={includePending} onChange={(e) => setIncludePending(e.currentTarget.checked)} />
        {t('feeds.includePending')}
      </label>
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn" disabled={busy}>
          {t('feeds.exportButton')}
        </button>
      </div>
    </form>
  );
}
