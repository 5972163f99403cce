/**
 * Approve / decline / reschedule, shared by the queue and the booking page: overlap warning before
 * approving, preset decline reasons, a reschedule dialog with a free-slot picker, optimistic removal,
 * an undo toast for `settings.undoSeconds`, and a per-item result list for bulk actions.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { BookingView } from '../../../shared/contract/types.ts';
import { cancelReasons } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import type { T } from '../i18n/index.ts';
import { findOverlaps, queryWindow } from '../lib/overlap.ts';
import { freeSlots } from '../lib/slots.ts';
import type { Slot } from '../lib/slots.ts';
import type { OverlapGroup } from '../lib/overlap.ts';
import { formatSlot, formatTime, fromZonedInput, isValidZone, startOfZonedDay, toZonedInput, addDays } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { BookingStatusBadge, Dialog, errorText, Field } from './ui.tsx';

type Reason = (typeof cancelReasons)[number];

export interface BulkResult {
  booking: BookingView;
  ok: boolean;
  message: string | null;
  /** The outbox intent written for it: a conflict naming it means the server refused it later. */
  intentId: string | null;
}

interface OverlapCheck {
  groups: OverlapGroup[];
  checkError: string | null;
}

type DialogState =
  | { kind: 'none' }
  | { kind: 'overlap'; targets: BookingView[]; groups: OverlapGroup[]; checkError: string | null }
  | { kind: 'decline'; targets: BookingView[] }
  | { kind: 'reschedule'; target: BookingView }
  | { kind: 'results'; title: string; results: BulkResult[] };

export function useTimezone(): string {
  const tz = useApp((s) => s.session?.tenant?.timezone);
  return isValidZone(tz) ? tz : 'UTC';
}

export function useBookingActions(opts: { onRemoved?: (ids: string[]) => void; onRestored?: (ids: string[]) => void } = {}) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const [dialog, setDialog] = useState<DialogState>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  const { onRemoved, onRestored } = opts;

  const offerUndo = useCallback(
    (message: string, intentIds: string[], bookingIds: string[]) => {
      const seconds = useApp.getState().settings?.undoSeconds ?? 5;
      if (!intentIds.length || seconds <= 0) {
        toast({ kind: 'success', message });
        return;
      }
      const id = toast({
        kind: 'success',
        message,
        timeoutMs: seconds * 1000,
        action: {
          label: t('common.undo'),
          run: () => {
            useApp.getState().dismissToast(id);
            void Promise.all(intentIds.map((iid) => api.call('intents.undo', { id: iid }).catch(() => ({ undone: false })))).then((rs) => {
              if (rs.every((r) => r.undone)) {
                onRestored?.(bookingIds);
                toast({ kind: 'info', message: t('common.undone') });
              } else {
                if (rs.some((r) => r.undone)) onRestored?.(bookingIds);
                toast({ kind: 'error', message: t('common.undoFailed') });
              }
            });
          },
        },
      });
    },
    [toast, t, onRestored],
  );

  const runBatch = useCallback(
    async (targets: BookingView[], run: (b: BookingView) => Promise<{ intentId: string | null }>, doneKey: 'queue.approved' | 'queue.declined' | 'queue.rescheduled', title: string) => {
      onRemoved?.(targets.map((b) => b.id));
      // Only bulk actions block further bulk actions: single keyboard approvals can follow each
      // other as fast as the user presses.
      const bulk = targets.length > 1;
      if (bulk) setBusy(true);
      const results: BulkResult[] = [];
      const intentIds: string[] = [];
      for (const b of targets) {
        try {
          const r = await run(b);
          if (r.intentId) intentIds.push(r.intentId);
          results.push({ booking: b, ok: true, message: null, intentId: r.intentId });
        } catch (err) {
          results.push({ booking: b, ok: false, message: errorText(t, err), intentId: null });
        }
      }
      if (bulk) setBusy(false);
      const failed = results.filter((r) => !r.ok);
      if (failed.length) onRestored?.(failed.map((r) => r.booking.id));
      const okIds = results.filter((r) => r.ok).map((r) => r.booking.id);
      if (targets.length === 1) {
        const only = results[0];
        if (only?.ok) offerUndo(t(doneKey, { name: only.booking.customer.name }), intentIds, okIds);
        else if (only) toast({ kind: 'error', message: only.message ?? t('common.error') });
      } else {
        setDialog({ kind: 'results', title, results });
        // The results list says it all; a toast only when it carries the undo button.
        if (okIds.length && (useApp.getState().settings?.undoSeconds ?? 5) > 0) offerUndo(t('queue.bulkDone', { ok: okIds.length, failed: failed.length }), intentIds, okIds);
      }
    },
    [onRemoved, onRestored, offerUndo, t, toast],
  );

  const doApprove = useCallback(
    (targets: BookingView[]) => runBatch(targets, (b) => api.call('bookings.approve', { id: b.id }), 'queue.approved', t('bulk.title')),
    [runBatch, t],
  );

  const checkOverlaps = useCallback(
    async (targets: BookingView[]): Promise<OverlapCheck> => {
      const win = queryWindow(targets);
      if (!win) return { groups: [], checkError: null };
      try {
        const offeringIds = [...new Set(targets.flatMap((b) => b.items.map((i) => i.offeringId)))];
        const pages = await Promise.all(offeringIds.map((offeringId) => api.call('bookings.list', { offeringId, from: win.from, to: win.to, limit: 1000 })));
        return { groups: findOverlaps(targets, pages.flatMap((p) => p.items)), checkError: null };
      } catch (err) {
        return { groups: [], checkError: errorText(t, err) };
      }
    },
    [t],
  );

  // The overlap check of the highlighted row is made ahead of the key press (prefetch), so `a`
  // removes the row in the same frame instead of after a round trip to the core. Any change to
  // bookings makes every answer stale.
  const overlapCache = useRef(new Map<string, { booking: BookingView; promise: Promise<OverlapCheck>; result: OverlapCheck | null }>());
  const cachedCheck = useCallback(
    (b: BookingView) => {
      const key = `${b.id}|${b.updatedAt}`;
      let entry = overlapCache.current.get(key);
      if (!entry) {
        const fresh: { booking: BookingView; promise: Promise<OverlapCheck>; result: OverlapCheck | null } = { booking: b, promise: checkOverlaps([b]), result: null };
        void fresh.promise.then((r) => {
          fresh.result = r;
          // A failed check is asked again next time rather than remembered.
          if (r.checkError && overlapCache.current.get(key) === fresh) overlapCache.current.delete(key);
        });
        if (overlapCache.current.size > 50) overlapCache.current.clear();
        overlapCache.current.set(key, fresh);
        entry = fresh;
      } else {
        // Most recently asked last (the refresh after a change takes the last few).
        overlapCache.current.delete(key);
        overlapCache.current.set(key, entry);
      }
      return entry;
    },
    [checkOverlaps],
  );
  // A change to bookings makes the answers stale: ask again at once for the last few rows checked
  // (the highlighted one among them) instead of waiting for the screen's re-fetch.
  useEffect(
    () =>
      api.on('data.changed', ({ tables }) => {
        if (!tables.includes('bookings')) return;
        const recent = [...overlapCache.current.values()].slice(-3).map((e) => e.booking);
        overlapCache.current.clear();
        for (const b of recent) cachedCheck(b);
      }),
    [cachedCheck],
  );
  const prefetch = useCallback((b: BookingView | null) => {
    if (b) cachedCheck(b);
  }, [cachedCheck]);

  /** Checks overlaps first; approves straight away when there are none. */
  const approve = useCallback(
    async (targets: BookingView[]) => {
      if (!targets.length || (busy && targets.length > 1)) return;
      const only = targets.length === 1 ? targets[0] : undefined;
      const entry = only ? cachedCheck(only) : null;
      // Answer already here and clean: approve synchronously, within the key press.
      if (entry?.result && !entry.result.groups.length && !entry.result.checkError) return doApprove(targets);
      const { groups, checkError } = entry ? await entry.promise : await checkOverlaps(targets);
      if (groups.length || checkError) setDialog({ kind: 'overlap', targets, groups, checkError });
      else await doApprove(targets);
    },
    [busy, doApprove, cachedCheck, checkOverlaps],
  );

  const decline = useCallback((targets: BookingView[]) => {
    if (targets.length) setDialog({ kind: 'decline', targets });
  }, []);

  const reschedule = useCallback((target: BookingView) => setDialog({ kind: 'reschedule', target }), []);

  const close = useCallback(() => setDialog({ kind: 'none' }), []);

  let dialogs: ReactNode = null;
  if (dialog.kind === 'overlap')
    dialogs = (
      <OverlapDialog
        {...dialog}
        onCancel={close}
        onConfirm={() => {
          close();
          void doApprove(dialog.targets);
        }}
      />
    );
  else if (dialog.kind === 'decline')
    dialogs = (
      <DeclineDialog
        targets={dialog.targets}
        onCancel={close}
        onConfirm={(reason) => {
          close();
          void runBatch(dialog.targets, (b) => api.call('bookings.cancel', { id: b.id, reason }), 'queue.declined', t('bulk.title'));
        }}
      />
    );
  else if (dialog.kind === 'reschedule')
    dialogs = (
      <RescheduleDialog
        target={dialog.target}
        onCancel={close}
        onConfirm={(itemId, startsAt, endsAt) => {
          close();
          const b = dialog.target;
          void api.call('bookings.reschedule', { id: b.id, itemId, startsAt, endsAt }).then(
            (r) => offerUndo(t('queue.rescheduled', { name: b.customer.name }), r.intentId ? [r.intentId] : [], []),
            (err) => toast({ kind: 'error', message: errorText(t, err) }),
          );
        }}
      />
    );
  else if (dialog.kind === 'results') dialogs = <ResultsDialog title={dialog.title} results={dialog.results} onClose={close} />;

  return { approve, decline, reschedule, prefetch, dialogs, dialogOpen: dialog.kind !== 'none', busy };
}

function OverlapDialog({ groups, checkError, targets, onCancel, onConfirm }: { groups: OverlapGroup[]; checkError: string | null; targets: BookingView[]; onCancel: () => void; onConfirm: () => void }) {
  const { t, locale } = useT();
  const tz = useTimezone();
  return (
    <Dialog
      title={t('overlap.title')}
      onClose={onCancel}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-warning" onClick={onConfirm} data-autofocus>
            {targets.length > 1 ? t('queue.approveSelected', { n: targets.length }) : t('overlap.approveAnyway')}
          </button>
        </>
      }
    >
      {checkError && <p className="notice notice-warning">{t('overlap.checkFailed', { message: checkError })}</p>}
      {groups.length > 0 && <p>{t('overlap.intro')}</p>}
      {groups.map((g) => (
        <section key={g.booking.id} className="overlap-group" aria-label={g.booking.customer.name}>
          <h3>
            {g.booking.customer.name} · {g.booking.offeringTitle}
          </h3>
          <ul>
            {g.overlaps.map((o) => (
              <li key={`${o.itemId}-${o.otherItemId}`}>
                <BookingStatusBadge status={o.other.status} /> {o.other.customer.name} · {formatSlot(o.startsAt, o.endsAt, tz, locale)}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Dialog>
  );
}

function DeclineDialog({ targets, onCancel, onConfirm }: { targets: BookingView[]; onCancel: () => void; onConfirm: (reason: string) => void }) {
  const { t } = useT();
  const [reason, setReason] = useState<Reason>('customer_request');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const title = targets.length === 1 && targets[0] ? t('decline.title', { name: targets[0].customer.name }) : t('decline.titleBulk', { n: targets.length });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = note.trim();
    if (reason === 'other' && !text) {
      setError(t('decline.otherRequired'));
      return;
    }
    onConfirm(text ? `${reason}: ${text}` : reason);
  };
  return (
    <Dialog title={title} onClose={onCancel}>
      <form onSubmit={submit} className="form">
        <fieldset className="radio-group">
          <legend>{t('decline.reason')}</legend>
          {cancelReasons.map((r, i) => (
            <label key={r} className="radio">
              <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} data-autofocus={i === 0 ? '' : undefined} />
              {t(`reason.${r}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t('decline.note')} error={error}>
          {(p) => <textarea {...p} rows={3} maxLength={400} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-danger">
            {t('decline.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RescheduleDialog({ target, onCancel, onConfirm }: { target: BookingView; onCancel: () => void; onConfirm: (itemId: string, startsAt: string, endsAt: string) => void }) {
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

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = fromZonedInput(start, tz);
    const en = fromZonedInput(end, tz);
    if (!s || !en || !item) return setError(t('reschedule.invalid'));
    if (Date.parse(en) <= Date.parse(s)) return setError(t('reschedule.endBeforeStart'));
    onConfirm(item.id, s, en);
  };
  const zone = tz;
  return (
    <Dialog title={t('reschedule.title', { name: target.customer.name })} onClose={onCancel} wide>
      <form onSubmit={submit} className="form">
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
          <Field label={t('reschedule.start', { tz: zone })} error={error}>
            {(p) => <input {...p} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} required data-autofocus />}
          </Field>
          <Field label={t('reschedule.end', { tz: zone })}>
            {(p) => <input {...p} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} required />}
          </Field>
        </div>
        {slots && (
          <fieldset className="slot-picker">
            <legend>{t('reschedule.slots')}</legend>
            {slots.length === 0 ? (
              <p className="muted">{t('reschedule.noSlots')}</p>
            ) : (
              <div className="slot-list">
                {slots.map((s) => (
                  <button
                    key={s.startsAt}
                    type="button"
                    className={toZonedInput(s.startsAt, tz) === start ? 'btn btn-small slot slot-on' : 'btn btn-small slot'}
                    aria-pressed={toZonedInput(s.startsAt, tz) === start}
                    aria-label={t('reschedule.pickSlot', { time: formatSlot(s.startsAt, s.endsAt, tz, locale) })}
                    onClick={() => {
                      setStart(toZonedInput(s.startsAt, tz));
                      setEnd(toZonedInput(s.endsAt, tz));
                    }}
                  >
                    {formatTime(s.startsAt, tz, locale)}
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
          <button type="submit" className="btn btn-primary">
            {t('reschedule.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResultsDialog({ title, results, onClose }: { title: string; results: BulkResult[]; onClose: () => void }) {
  const { t } = useT();
  // Accepted items are pushed in the background; one the server refuses while this list is open
  // turns into "refused" here, with the way to Needs attention.
  const conflicts = useQuery('conflicts.list', {}, ['conflicts']);
  const refused = useMemo(() => new Set((conflicts.data ?? []).map((c) => c.intent.id)), [conflicts.data]);
  const isRefused = (r: BulkResult) => r.ok && r.intentId !== null && refused.has(r.intentId);
  const summary = { ok: results.filter((r) => r.ok && !isRefused(r)).length, failed: results.filter((r) => !r.ok || isRefused(r)).length };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          {t('common.close')}
        </button>
      }
    >
      <p role="status">{t('queue.bulkDone', summary)}</p>
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
      </ul>
      {summary.ok > 0 && <p className="muted small result-note">{t('bulk.note')}</p>}
    </Dialog>
  );
}

export type { T };
