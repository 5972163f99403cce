/**
 * The preview pane beside the queue (Linear's triage): the highlighted booking's items, customer
 * notes, payments, risk and its review status, and history, without leaving the queue. The queue's
 * keys keep working while it is open (they are the window's); Esc inside the pane gives the focus
 * back to the highlighted row. Shown or hidden with `p` or its button, and remembered.
 */
import { memo, useCallback, useEffect, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { QueueRow } from '../../../../shared/contract/types.ts';
import { RiskBadge } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { labelOr } from '../../i18n/translate.ts';
import { coreText } from '../../lib/coreMessage.ts';
import { formatDateTime, formatMoney, formatSlot } from '../../lib/format.ts';
import { isScreenShortcut } from '../../lib/keys.ts';
import { useQuery } from '../../lib/useQuery.ts';

const storageKey = 'orkestr.queuePreview';
/** Below this window width the pane starts hidden: beside the queue it would squeeze the table. */
const wideEnough = '(min-width: 1440px)';

/** Whether the pane is shown: the user's last choice, else open on a wide window. */
export function usePreviewOpen(): [boolean, () => void] {
  const [open, setOpen] = useState(() => {
    const saved = localStorage.getItem(storageKey);
    return saved === null ? window.matchMedia(wideEnough).matches : saved === 'open';
  });
  const toggle = useCallback(() => {
    setOpen((was) => {
      localStorage.setItem(storageKey, was ? 'closed' : 'open');
      return !was;
    });
  }, []);
  // `p` toggles it wherever the focus is on the screen (not while typing or in a dialog).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'p' || e.shiftKey || !isScreenShortcut(e)) return;
      e.preventDefault();
      toggle();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle]);
  return [open, toggle];
}

export function PreviewToggle({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const { t } = useT();
  return (
    // aria-controls only while the pane exists: an id that names nothing is an invalid value.
    <button type="button" className="btn btn-small" aria-pressed={open} aria-controls={open ? 'queue-preview' : undefined} onClick={onToggle}>
      {t('queue.preview.toggle')} <kbd className="kbd">p</kbd>
    </button>
  );
}

/** The pane: what the row already carries at once, the booking's page details when the core answers. */
// eslint-disable-next-line max-lines-per-function -- five small sections of markup (items, notes, risk, payments, history) over one query
export const QueuePreview = memo(function QueuePreview({ row, tz, onLeave }: { row: QueueRow | null; tz: string; onLeave: () => void }) {
  const { t, locale } = useT();
  const detail = useQuery('bookings.get', { id: row?.id ?? '' }, ['bookings', 'intents', 'conflicts'], row !== null);
  const b = detail.data && detail.data.id === row?.id ? detail.data : null;
  // Esc in the pane: back to the highlighted row (the queue's keys act on it meanwhile anyway).
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.key === 'Escape' && isScreenShortcut(e.nativeEvent)) {
      e.preventDefault();
      onLeave();
    }
  };
  return (
    // A named region (not an aside: a complementary landmark inside main is flagged by axe) that
    // the keyboard can reach and scroll (tabIndex 0).
    <section id="queue-preview" className="queue-preview" aria-labelledby="queue-preview-title" tabIndex={0} onKeyDown={onKeyDown}>
      <h2 id="queue-preview-title" className="h2">
        {row ? t('queue.preview.titleOf', { name: row.customer.name }) : t('queue.preview.title')}
      </h2>
      {!row ? (
        <p className="muted">{t('queue.preview.none')}</p>
      ) : (
        <>
          <p className="muted small">{row.offeringTitle}</p>
          <section aria-labelledby="qp-items">
            <h3 id="qp-items" className="h3">
              {t('booking.items')}
            </h3>
            <ul className="plain-list">
              {(b?.items ?? row.items).map((i) => (
                <li key={i.id}>
                  {formatSlot(i.startsAt, i.endsAt, tz, locale)}
                  <div className="muted small">
                    {t('booking.quantity', { n: i.quantity })} · {formatMoney(i.priceCents, row.currency, locale)}
                  </div>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="qp-notes">
            <h3 id="qp-notes" className="h3">
              {t('booking.notes')}
            </h3>
            {row.notes.trim() ? <p className="preview-notes">{row.notes}</p> : <p className="muted small">{t('queue.preview.noNotes')}</p>}
          </section>
          <section aria-labelledby="qp-risk">
            <h3 id="qp-risk" className="h3">
              {t('booking.risk')}
            </h3>
            <p className="chips">
              <RiskBadge score={row.riskScore} />{' '}
              {b ? (
                <span className={b.riskReviewStatus === 'HELD' ? 'chip chip-held' : 'muted small'}>{t('booking.riskReview', { status: labelOr(t, `riskReview.${b.riskReviewStatus ?? 'NONE'}`, b.riskReviewStatus ?? 'NONE') })}</span>
              ) : (
                row.held && <span className="chip chip-held">{t('queue.flag.held')}</span>
              )}
            </p>
            {row.ruleFlags.map((f) => (
              <p key={f.ruleId} className="small">
                <span className="chip chip-flagged">{t('queue.flag.rule', { rule: f.ruleName })}</span> <span className="muted">{f.conditions}</span>
              </p>
            ))}
          </section>
          <section aria-labelledby="qp-payments">
            <h3 id="qp-payments" className="h3">
              {t('booking.payments')}
            </h3>
            {!b ? (
              <p className="muted small">{t('common.loading')}</p>
            ) : b.payments.length === 0 ? (
              <p className="muted small">{t('booking.noPayments')}</p>
            ) : (
              <ul className="plain-list">
                {b.payments.map((p) => (
                  <li key={p.id}>
                    {formatMoney(p.amountCents, p.currency, locale)} · {labelOr(t, `paymentStatus.${p.status}`, p.status)}
                    <div className="muted small">{formatDateTime(p.createdAt, tz, locale)}</div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="qp-history">
            <h3 id="qp-history" className="h3">
              {t('booking.history')}
            </h3>
            {!b ? (
              <p className="muted small">{t('common.loading')}</p>
            ) : b.history.length === 0 ? (
              <p className="muted small">{t('booking.noHistory')}</p>
            ) : (
              <ol className="plain-list preview-history">
                {b.history.map((h, i) => (
                  <li key={`${h.at}-${i}`}>
                    <time dateTime={h.at} className="muted small">
                      {formatDateTime(h.at, tz, locale)}
                    </time>
                    <div>{coreText(h.summaryMessage, h.summary, { t, locale, tz })}</div>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </section>
  );
});
