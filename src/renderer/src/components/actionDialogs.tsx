/**
 * The booking actions' dialogs: the safety warning before approving a held booking or into a full
 * slot (the safe choice holds the focus; approving anyway is Shift+A, named on its button), decline
 * and cancel with business reasons and the refund shown before sending, reschedule in few keys, and
 * the per-booking results of a bulk action.
 */
import { useEffect, useMemo, useState } from 'react';
import type { FormEvent, KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { BookingView, CancelPreview, SlotCheck } from '../../../shared/contract/types.ts';
import type { cancelReasons } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { formatMoney, formatSlot, formatTime, fromZonedInput, isValidZone, startOfZonedDay, toZonedInput, addDays } from '../lib/format.ts';
import type { Block } from '../lib/safety.ts';
import { freeSlots } from '../lib/slots.ts';
import type { Slot } from '../lib/slots.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { BookingStatusBadge, Dialog, Field, Kbd } from './ui.tsx';

/** Business reasons first; the customer's own request last, and none chosen for the user. */
const reasonOrder = ['no_availability', 'suspected_fraud', 'duplicate', 'other', 'customer_request'] as const satisfies ReadonlyArray<(typeof cancelReasons)[number]>;
type Reason = (typeof reasonOrder)[number];

export function useTimezone(): string {
  const tz = useApp((s) => s.session?.tenant?.timezone);
  return isValidZone(tz) ? tz : 'UTC';
}

const isShiftA = (e: ReactKeyboardEvent) => e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === 'A' || e.key === 'a');

/** The bookings a slot check names, fetched for their names (a few of each kind). */
function useNamed(ids: string[]): BookingView[] {
  const [found, setFound] = useState<BookingView[]>([]);
  const key = ids.join(',');
  useEffect(() => {
    let alive = true;
    const wanted = key ? key.split(',').slice(0, 6) : [];
    void Promise.all(wanted.map((id) => api.call('bookings.get', { id }).catch(() => null))).then((rs) => alive && setFound(rs.filter((r): r is NonNullable<typeof r> => r !== null)));
    return () => {
      alive = false;
    };
  }, [key]);
  return found;
}

export function SafetyDialog({ target, block, slot, onCancel, onConfirm }: { target: BookingView; block: Block; slot: SlotCheck | null; onCancel: () => void; onConfirm: () => void }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  const confirmed = useNamed(slot?.confirmedIds ?? []);
  const competing = useNamed(slot?.competingIds ?? []);
  const line = (b: BookingView) => (
    <li key={b.id}>
      <BookingStatusBadge status={b.status} /> {b.customer.name} · {b.items[0] ? formatSlot(b.items[0].startsAt, b.items[0].endsAt, tz, locale) : ''}
    </li>
  );
  return (
    <div onKeyDown={(e) => {
      if (!isShiftA(e)) return;
      e.preventDefault();
      onConfirm();
    }}>
      <Dialog
        title={block === 'held' ? t('safety.heldTitle') : t('safety.fullTitle')}
        onClose={onCancel}
        wide
        footer={
          <>
            <button type="button" className="btn btn-primary" onClick={onCancel} data-autofocus>
              {t('safety.keepPending')}
            </button>
            <button type="button" className="btn btn-warning" onClick={onConfirm} aria-keyshortcuts="Shift+A">
              {t('safety.approveAnyway')} <Kbd>Shift</Kbd>+<Kbd>A</Kbd>
            </button>
          </>
        }
      >
        <p>
          <strong>{target.customer.name}</strong> · {target.offeringTitle}
        </p>
        {block === 'held' && <p>{t('safety.heldBody')}</p>}
        {slot && slot.state === 'full' && <p>{t('safety.fullBody', { taken: slot.taken, n: slot.capacity ?? 0, quantity: slot.quantity })}</p>}
        {confirmed.length > 0 && (
          <section aria-label={t('safety.confirmedList')}>
            <h3 className="h3">{t('safety.confirmedList')}</h3>
            <ul className="plain-list">{confirmed.map(line)}</ul>
          </section>
        )}
        {competing.length > 0 && (
          <section aria-label={t('safety.competingList')}>
            <h3 className="h3">{t('safety.competingList')}</h3>
            <ul className="plain-list">{competing.map(line)}</ul>
          </section>
        )}
      </Dialog>
    </div>
  );
}

function RefundLine({ preview }: { preview: CancelPreview | null | undefined }) {
  const { t, locale } = useT();
  if (preview === undefined) return <p className="muted">{t('refund.checking')}</p>;
  if (!preview || preview.refundPercent === null || preview.refundCents === null) return <p className="notice">{t('refund.unknown')}</p>;
  return (
    <p className="notice" data-testid="refund-preview">
      {t('refund.preview', { percent: preview.refundPercent, amount: formatMoney(preview.refundCents, preview.currency, locale), policy: t(`policy.${preview.policy ?? 'FLEXIBLE'}`) })}
    </p>
  );
}

/** Decline a PENDING booking or cancel a CONFIRMED one: the same form, the refund shown first. */
export function CancelDialog({ mode, targets, onCancel, onConfirm }: { mode: 'decline' | 'cancel'; targets: BookingView[]; onCancel: () => void; onConfirm: (reason: string) => void }) {
  const { t } = useT();
  const [reason, setReason] = useState<Reason | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<CancelPreview | null | undefined>(undefined);
  const only = targets.length === 1 ? targets[0] : undefined;
  useEffect(() => {
    if (!only) return;
    let alive = true;
    api.call('bookings.cancelPreview', { id: only.id }).then(
      (p) => alive && setPreview(p),
      () => alive && setPreview(null),
    );
    return () => {
      alive = false;
    };
  }, [only]);
  const title = only ? t(mode === 'decline' ? 'decline.title' : 'cancel.title', { name: only.customer.name }) : t('decline.titleBulk', { n: targets.length });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const text = note.trim();
    if (!reason) return setError(t('decline.pickReason'));
    if (reason === 'other' && !text) return setError(t('decline.otherRequired'));
    onConfirm(text ? `${reason}: ${text}` : reason);
  };
  const onKey = (e: ReactKeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
      return;
    }
    const n = Number(e.key);
    const typing = e.target instanceof HTMLTextAreaElement || (e.target instanceof HTMLInputElement && e.target.type === 'text');
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && Number.isInteger(n) && n >= 1 && n <= reasonOrder.length) {
      e.preventDefault();
      setReason(reasonOrder[n - 1]!);
      setError(null);
      document.getElementById(`reason-${reasonOrder[n - 1]}`)?.focus();
    }
  };
  return (
    <div onKeyDown={onKey}>
      <Dialog title={title} onClose={onCancel}>
        <form onSubmit={submit} className="form">
          {only ? <RefundLine preview={preview} /> : <p className="muted">{t('refund.bulk')}</p>}
          <fieldset className="radio-group">
            <legend>{t('decline.reason')}</legend>
            {reasonOrder.map((r, i) => (
              <label key={r} className="radio">
                <input id={`reason-${r}`} type="radio" name="reason" value={r} checked={reason === r} onChange={() => { setReason(r); setError(null); }} data-autofocus={i === 0 ? '' : undefined} />
                <Kbd>{i + 1}</Kbd> {t(`reason.${r}`)}
              </label>
            ))}
          </fieldset>
          <Field label={t('decline.note')} error={error}>
            {(p) => <textarea {...p} rows={3} maxLength={400} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="button" className="btn" onClick={onCancel}>
              {mode === 'decline' ? t('common.cancel') : t('cancel.keep')}
            </button>
            <button type="submit" className="btn btn-danger" aria-keyshortcuts="Control+Enter">
              {mode === 'decline' ? t('decline.confirm') : t('cancel.confirm')} <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd>
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

/**
 * Reschedule: the start moves the end with it (the duration is kept); with the focus off the
 * fields, ←/→ move a day, 1–9 pick a free slot, Enter submits.
 */
// eslint-disable-next-line max-lines-per-function -- one form with its item choice, the two times, the free-slot picker and its keys
export function RescheduleDialog({ target, onCancel, onConfirm }: { target: BookingView; onCancel: () => void; onConfirm: (itemId: string, startsAt: string, endsAt: string) => void }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  const first = target.items[0];
  const [itemId, setItemId] = useState(first?.id ?? '');
  const item = target.items.find((i) => i.id === itemId) ?? first;
  const [start, setStart] = useState(item ? toZonedInput(item.startsAt, tz) : '');
  const [end, setEnd] = useState(item ? toZonedInput(item.endsAt, tz) : '');
  const [error, setError] = useState<string | null>(null);
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const date = start.slice(0, 10);
  const offeringId = item?.offeringId ?? target.offeringId;

  useEffect(() => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    let alive = true;
    const from = startOfZonedDay(date, tz);
    const to = startOfZonedDay(addDays(date, 1), tz);
    Promise.all([api.call('availability.get', { offeringId }), api.call('bookings.list', { offeringId, from, to, limit: 1000 })]).then(
      ([av, list]) => alive && setSlots(freeSlots(date, isValidZone(av.timezone) ? av.timezone : tz, av.rules, list.items, target.id).slice(0, 24)),
      () => alive && setSlots(null),
    );
    return () => {
      alive = false;
    };
  }, [date, offeringId, tz, target.id]);

  /** A new start keeps the booking's length: the end moves with it. */
  const moveStart = (next: string) => {
    const s0 = fromZonedInput(start, tz);
    const e0 = fromZonedInput(end, tz);
    const s1 = fromZonedInput(next, tz);
    setStart(next);
    setError(null);
    if (s0 && e0 && s1) setEnd(toZonedInput(new Date(Date.parse(s1) + (Date.parse(e0) - Date.parse(s0))).toISOString(), tz));
  };
  const pick = (s: Slot) => {
    setStart(toZonedInput(s.startsAt, tz));
    setEnd(toZonedInput(s.endsAt, tz));
    setError(null);
  };
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const s = fromZonedInput(start, tz);
    const en = fromZonedInput(end, tz);
    if (!s || !en || !item) return setError(t('reschedule.invalid'));
    if (Date.parse(en) <= Date.parse(s)) return setError(t('reschedule.endBeforeStart'));
    if (s === item.startsAt && en === item.endsAt) return setError(t('reschedule.unchanged'));
    onConfirm(item.id, s, en);
  };
  const onKey = (e: ReactKeyboardEvent) => {
    const el = e.target as HTMLElement;
    if (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      if (date) moveStart(`${addDays(date, e.key === 'ArrowLeft' ? -1 : 1)}${start.slice(10)}`);
      return;
    }
    const n = Number(e.key);
    if (slots && Number.isInteger(n) && n >= 1 && n <= 9 && slots[n - 1]) {
      e.preventDefault();
      pick(slots[n - 1]!);
    }
  };
  const dayLabel = date ? new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`)) : '';
  return (
    <div onKeyDown={onKey}>
      <Dialog title={t('reschedule.title', { name: target.customer.name })} onClose={onCancel} wide>
        <form onSubmit={submit} className="form">
          <p className="muted small">{t('reschedule.keys')}</p>
          {target.items.length > 1 && (
            <Field label={t('reschedule.item')}>
              {(p) => (
                <select
                  {...p}
                  value={itemId}
                  onChange={(e) => {
                    setItemId(e.target.value);
                    const it = target.items.find((i) => i.id === e.target.value);
                    if (it) {
                      setStart(toZonedInput(it.startsAt, tz));
                      setEnd(toZonedInput(it.endsAt, tz));
                    }
                  }}
                >
                  {target.items.map((i) => (
                    <option key={i.id} value={i.id}>
                      {formatSlot(i.startsAt, i.endsAt, tz, locale)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <div className="form-row">
            <Field label={t('reschedule.start', { tz })} error={error}>
              {(p) => <input {...p} type="datetime-local" value={start} onChange={(e) => moveStart(e.target.value)} required />}
            </Field>
            <Field label={t('reschedule.end', { tz })}>
              {(p) => <input {...p} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} required />}
            </Field>
          </div>
          {slots && (
            <fieldset className="slot-picker">
              <legend>
                {t('reschedule.slots')} · {dayLabel}
              </legend>
              {slots.length === 0 ? (
                <p className="muted">{t('reschedule.noSlots')}</p>
              ) : (
                <div className="slot-list">
                  {slots.map((s, i) => (
                    <button
                      key={s.startsAt}
                      type="button"
                      className={toZonedInput(s.startsAt, tz) === start ? 'btn btn-small slot slot-on' : 'btn btn-small slot'}
                      aria-pressed={toZonedInput(s.startsAt, tz) === start}
                      title={t('reschedule.pickSlot', { time: formatSlot(s.startsAt, s.endsAt, tz, locale) })}
                      onClick={() => pick(s)}
                    >
                      {i < 9 && <span className="slot-key">{i + 1}</span>} {formatTime(s.startsAt, tz, locale)}
                    </button>
                  ))}
                </div>
              )}
            </fieldset>
          )}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onCancel}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" data-autofocus>
              {t('reschedule.confirm')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

export interface BulkResult {
  booking: BookingView;
  ok: boolean;
  message: string | null;
  /** The outbox intent written for it: a conflict naming it means the server refused it later. */
  intentId: string | null;
}

/** Per booking: accepted, failed, refused later, or left out as held / full (with the way to include them). */
export function ResultsDialog({ title, results, skipped, onClose, onInclude }: { title: string; results: BulkResult[]; skipped: Array<{ booking: BookingView; block: Block }>; onClose: () => void; onInclude: (() => void) | null }) {
  const { t } = useT();
  // Accepted items are pushed in the background; one the server refuses while this list is open
  // turns into "refused" here, with the way to Needs attention.
  const conflicts = useQuery('conflicts.list', {}, ['conflicts']);
  const refused = useMemo(() => new Set((conflicts.data ?? []).map((c) => c.intent.id)), [conflicts.data]);
  const isRefused = (r: BulkResult) => r.ok && r.intentId !== null && refused.has(r.intentId);
  const summary = { ok: results.filter((r) => r.ok && !isRefused(r)).length, failed: results.filter((r) => !r.ok || isRefused(r)).length };
  return (
    <div onKeyDown={(e) => {
      if (!onInclude || !isShiftA(e)) return;
      e.preventDefault();
      onInclude();
    }}>
      <Dialog
        title={title}
        onClose={onClose}
        footer={
          <>
            {onInclude && skipped.length > 0 && (
              <button type="button" className="btn btn-warning" onClick={onInclude} aria-keyshortcuts="Shift+A">
                {t('bulk.include', { n: skipped.length })} <Kbd>Shift</Kbd>+<Kbd>A</Kbd>
              </button>
            )}
            <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
              {t('common.close')}
            </button>
          </>
        }
      >
        <p role="status">{skipped.length ? t('bulk.doneSkipped', { ...summary, skipped: skipped.length }) : t('queue.bulkDone', summary)}</p>
        <ul className="result-list">
          {results.map((r) => {
            const refusedNow = isRefused(r);
            const ok = r.ok && !refusedNow;
            return (
              <li key={r.booking.id} className={ok ? 'result-ok' : 'result-failed'}>
                <span className="result-mark" aria-hidden="true">
                  {ok ? '✓' : '!'}
                </span>
                <span>
                  {r.booking.customer.name} · {r.booking.offeringTitle}
                </span>
                <span className="result-msg">
                  {refusedNow ? (
                    <>
                      {t('bulk.refused')} <a href="#/attention">{t('nav.attention')}</a>
                    </>
                  ) : ok ? (
                    t('bulk.ok')
                  ) : (
                    t('bulk.failed', { message: r.message ?? '' })
                  )}
                </span>
              </li>
            );
          })}
          {skipped.map((s) => (
            <li key={s.booking.id} className="result-skipped">
              <span className="result-mark" aria-hidden="true">
                –
              </span>
              <span>
                {s.booking.customer.name} · {s.booking.offeringTitle}
              </span>
              <span className="result-msg">{s.block === 'held' ? t('bulk.skippedHeld') : t('bulk.skippedFull')}</span>
            </li>
          ))}
        </ul>
        {summary.ok > 0 && <p className="muted small result-note">{t('bulk.note')}</p>}
      </Dialog>
    </div>
  );
}
