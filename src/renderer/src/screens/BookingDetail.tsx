/** One booking: items, payments, risk, editable notes, history, and the queue's actions when PENDING. */
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { BookingDetail } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useBookingActions, useTimezone } from '../components/bookingActions.tsx';
import { BookingStatusBadge, Empty, ErrorState, Field, Loading, PageHeader, RiskBadge, SyncChip, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { labelOr } from '../i18n/translate.ts';
import { coreText, reasonText } from '../lib/coreMessage.ts';
import { formatDateTime, formatMoney, formatSlot, isValidZone, zoneLabel, zonesDiffer } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { neighbour, useFrontDesk } from '../store/frontdesk.ts';
import { isScreenShortcut } from '../lib/keys.ts';

function Notes({ booking, blocked }: { booking: BookingDetail; blocked: string | null }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const [notes, setNotes] = useState(booking.notes);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!dirty) setNotes(booking.notes);
  }, [booking.notes, dirty]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await api.call('bookings.setNotes', { id: booking.id, notes });
      setDirty(false);
      toast({ kind: 'success', message: t('booking.notesSaved') });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form onSubmit={save} className="form">
      <Field label={t('booking.notes')} error={error} hideLabel>
        {(p) => (
          <textarea
            {...p}
            rows={4}
            maxLength={5000}
            value={notes}
            onChange={(e) => {
              setNotes(e.target.value);
              setDirty(true);
            }}
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving || !!blocked} title={blocked ?? undefined}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

/**
 * Opened from the queue, the page keeps the queue's keys: a / d / r act on this booking, j / k open
 * the next / previous one in the queue's order, Esc goes back to the queue at this row (after an
 * approval or decline, the queue's next row).
 */
function useQueueKeysHere(b: BookingDetail | undefined, actions: ReturnType<typeof useBookingActions>) {
  const navigate = useApp((s) => s.navigate);
  const fromQueue = useFrontDesk((s) => s.fromQueue);
  const state = useRef({ b, actions });
  state.current = { b, actions };
  useEffect(() => {
    if (!fromQueue) return;
    const go = (id: string | null) => {
      const fd = useFrontDesk.getState();
      if (id) {
        fd.setActive(id);
        navigate({ name: 'booking', id });
      }
    };
    const onKey = (e: KeyboardEvent) => {
      const { b: cur, actions: a } = state.current;
      if (!cur || !isScreenShortcut(e) || a.dialogOpen) return;
      const ids = useFrontDesk.getState().queueIds;
      let handled = true;
      if (e.key === 'j') go(neighbour(ids, cur.id, 1));
      else if (e.key === 'k') go(neighbour(ids, cur.id, -1));
      else if (e.key === 'Escape') {
        // Back to this row, or to the one after it when this booking has left the queue.
        useFrontDesk.getState().setActive(cur.status === 'PENDING' ? cur.id : (neighbour(ids, cur.id, 1) ?? cur.id));
        navigate({ name: 'queue' });
      } else if (e.key === 'a' && cur.status === 'PENDING') void a.approve([cur]);
      else if (e.key === 'd' && (cur.status === 'PENDING' || cur.status === 'CONFIRMED')) a.cancel(cur);
      else if (e.key === 'r' && (cur.status === 'PENDING' || cur.status === 'CONFIRMED')) a.reschedule(cur);
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fromQueue, navigate]);
  return fromQueue;
}

// eslint-disable-next-line max-lines-per-function -- the page lays out five cards (items, customer and risk, amounts, notes, history) and its actions
export function BookingDetailScreen({ id }: { id: string }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  const q = useQuery('bookings.get', { id }, ['bookings', 'intents', 'conflicts']);
  const actions = useBookingActions();
  const b = q.data;
  const fromQueue = useQueueKeysHere(b ?? undefined, actions);
  // Leaving for any other screen than the queue ends the queue walk.
  useEffect(() => () => {
    if (useApp.getState().route.name !== 'booking') useFrontDesk.getState().setFromQueue(false);
  }, []);
  const off = actions.writeBlock ? { disabled: true, title: actions.writeBlock, 'aria-describedby': 'write-block-reason' } : {};

  const back = fromQueue ? (
    <a href="#/queue" className="back-link" onClick={() => useFrontDesk.getState().setActive(id)}>
      ← {t('booking.backQueue')} <span className="muted small">(Esc · j / k)</span>
    </a>
  ) : (
    <a href="#/bookings" className="back-link">
      ← {t('booking.back')}
    </a>
  );
  if (q.loading && !b)
    return (
      <div className="page">
        {back}
        <Loading />
      </div>
    );
  if (q.error && !b)
    return (
      <div className="page">
        {back}
        <ErrorState error={q.error} onRetry={q.reload} />
      </div>
    );
  if (!b)
    return (
      <div className="page">
        {back}
        <PageHeader title={t('booking.title', { id })} />
        <Empty>{t('booking.notFound')}</Empty>
      </div>
    );

  const custTz = b.customer.timezone;
  return (
    <div className="page">
      {back}
      <PageHeader
        title={`${b.customer.name} · ${b.offeringTitle}`}
        sub={
          <p className="chips">
            <BookingStatusBadge status={b.status} /> <SyncChip state={b.syncState} /> <span className="muted small">{b.id}</span>
            {b.status !== b.serverStatus && <span className="muted small"> · {t('booking.serverStatus', { status: t(`bookingStatus.${b.serverStatus}`) })}</span>}
          </p>
        }
      >
        {b.status === 'PENDING' && (
          <>
            <button type="button" className="btn btn-primary" onClick={() => void actions.approve([b])} {...off}>
              {t('queue.approve')}
            </button>
            <button type="button" className="btn" onClick={() => actions.decline([b])} {...off}>
              {t('queue.decline')}
            </button>
          </>
        )}
        {b.status === 'CONFIRMED' && (
          <button type="button" className="btn" onClick={() => actions.cancel(b)} {...off}>
            {t('cancel.action')}
          </button>
        )}
        {(b.status === 'PENDING' || b.status === 'CONFIRMED') && (
          <button type="button" className="btn" onClick={() => actions.reschedule(b)} {...off}>
            {t('queue.reschedule')}
          </button>
        )}
      </PageHeader>
      {actions.writeBlock && (
        <p id="write-block-reason" className="notice notice-warning" role="status">
          {actions.writeBlock}
        </p>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="bd-items">
          <h2 id="bd-items" className="h2">
            {t('booking.items')}
          </h2>
          <ul className="plain-list">
            {b.items.map((i) => (
              <li key={i.id}>
                <div>
                  {formatSlot(i.startsAt, i.endsAt, tz, locale)} <span className="muted small">({zoneLabel(tz, locale, new Date(i.startsAt))})</span>
                </div>
                {isValidZone(custTz) && zonesDiffer(custTz, tz, new Date(i.startsAt)) && <div className="muted small">{t('queue.customerTime', { tz: zoneLabel(custTz, locale, new Date(i.startsAt)), time: formatSlot(i.startsAt, i.endsAt, custTz, locale) })}</div>}
                <div className="muted small">
                  {t('booking.quantity', { n: i.quantity })} · {formatMoney(i.priceCents, b.currency, locale)}
                </div>
              </li>
            ))}
          </ul>
          {b.cancelReason && <p className="small">{t('booking.cancelReason', { reason: reasonText(t, b.cancelReason) })}</p>}
          {b.refundPercent !== null && <p className="small">{t('booking.refund', { n: b.refundPercent })}</p>}
        </section>
        <section className="card" aria-labelledby="bd-customer">
          <h2 id="bd-customer" className="h2">
            {t('booking.customer')}
          </h2>
          <p>
            <strong>{b.customer.name}</strong>
            <br />
            <a href={`mailto:${b.customer.email}`}>{b.customer.email}</a>
            {custTz && (
              <>
                <br />
                <span className="muted small">{custTz}</span>
              </>
            )}
          </p>
          <h3 className="h3">{t('booking.risk')}</h3>
          <p>
            <RiskBadge score={b.riskScore} /> {b.riskReviewStatus && b.riskReviewStatus !== 'NONE' && <span className={b.riskReviewStatus === 'HELD' ? 'chip chip-held' : 'muted small'}>{t('booking.riskReview', { status: labelOr(t, `riskReview.${b.riskReviewStatus}`, b.riskReviewStatus) })}</span>}
          </p>
        </section>
        <section className="card" aria-labelledby="bd-amounts">
          <h2 id="bd-amounts" className="h2">
            {t('booking.amounts')}
          </h2>
          <dl className="kv kv-plain">
            <div className="kv-row">
              <dt>{t('booking.subtotal')}</dt>
              <dd className="num">{formatMoney(b.subtotalCents, b.currency, locale)}</dd>
            </div>
            {b.discountCents > 0 && (
              <div className="kv-row">
                <dt>{b.couponCode ? t('booking.coupon', { code: b.couponCode }) : t('booking.discount')}</dt>
                <dd className="num">−{formatMoney(b.discountCents, b.currency, locale)}</dd>
              </div>
            )}
            <div className="kv-row">
              <dt>{t('booking.tax')}</dt>
              <dd className="num">{formatMoney(b.taxCents, b.currency, locale)}</dd>
            </div>
            <div className="kv-row kv-total">
              <dt>{t('booking.total')}</dt>
              <dd className="num">{formatMoney(b.totalCents, b.currency, locale)}</dd>
            </div>
          </dl>
          <h3 className="h3">{t('booking.payments')}</h3>
          {b.payments.length === 0 ? (
            <p className="muted">{t('booking.noPayments')}</p>
          ) : (
            <ul className="plain-list">
              {b.payments.map((p) => (
                <li key={p.id}>
                  {formatMoney(p.amountCents, p.currency, locale)} · {labelOr(t, `paymentStatus.${p.status}`, p.status)} · <span className="muted small">{formatDateTime(p.createdAt, tz, locale)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="bd-notes">
          <h2 id="bd-notes" className="h2">
            {t('booking.notes')}
          </h2>
          <Notes booking={b} blocked={actions.writeBlock} />
        </section>
      </div>
      <section className="card" aria-labelledby="bd-history">
        <h2 id="bd-history" className="h2">
          {t('booking.history')}
        </h2>
        {b.history.length === 0 ? (
          <p className="muted">{t('booking.noHistory')}</p>
        ) : (
          <ol className="timeline-list">
            {b.history.map((h, i) => (
              <li key={`${h.at}-${i}`}>
                <time dateTime={h.at} className="muted small">
                  {formatDateTime(h.at, tz, locale)}
                </time>{' '}
                <span className="chip chip-kind">{t(`history.kind.${h.kind}`)}</span> {coreText(h.summaryMessage, h.summary, { t, locale, tz })} {h.state && <span className="muted small">({labelOr(t, `intentState.${h.state}`, h.state)})</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
      {actions.dialogs}
    </div>
  );
}
