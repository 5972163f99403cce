/**
 * Approve / decline / cancel / reschedule, shared by the queue, the booking page, the bookings list
 * and the palette. Safe by default: a booking held for risk review or whose slot the core counts as
 * full (`bookings.slots`) is never approved by a reflex key or by a bulk action; the warning holds
 * the focus on keeping it pending and approving anyway is Shift+A. Every action lands in the one
 * collapsed undo bar (store/undo.ts). With the core out of reach or a read-only key, nothing is
 * attempted and the user is told why.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { BookingView, SlotCheck } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { afterPaint } from '../lib/frame.ts';
import { blockOf, isHeld, isStale, partition } from '../lib/safety.ts';
import type { Block, Checked } from '../lib/safety.ts';
import { useApp } from '../store/app.ts';
import { useUndo } from '../store/undo.ts';
import type { ActionKind } from '../store/undo.ts';
import { CancelDialog, RescheduleDialog, ResultsDialog, SafetyDialog, useTimezone } from './actionDialogs.tsx';
import type { BulkResult } from './actionDialogs.tsx';
import { errorText } from './ui.tsx';

export { useTimezone };
export type { BulkResult };

type DialogState =
  | { kind: 'none' }
  | { kind: 'safety'; target: BookingView; block: Block; slot: SlotCheck | null }
  | { kind: 'cancel'; mode: 'decline' | 'cancel'; targets: BookingView[] }
  | { kind: 'reschedule'; target: BookingView }
  | { kind: 'results'; results: BulkResult[]; skipped: Array<{ booking: BookingView; block: Block }> };

/** Bookings approved from this window: a slot answer naming one of them as a competitor is stale. */
export const approvedHere = new Set<string>();

/** Why a write cannot be attempted now (read-only key, core out of reach), translated; null when it can. */
export function useWriteBlock(): string | null {
  const { t } = useT();
  const writable = useApp((s) => s.session?.writable ?? true);
  const lost = useApp((s) => s.transport !== 'ok');
  if (lost) return t('writes.coreLost');
  if (!writable) return t('writes.readOnly');
  return null;
}

/** The core's slot answers, asked ahead of the key press (prefetch) and forgotten on any change. */
function useSlotCache() {
  const cache = useRef(new Map<string, { promise: Promise<SlotCheck | null>; result: SlotCheck | null | undefined }>());
  const ask = useCallback((b: BookingView) => {
    const key = `${b.id}|${b.updatedAt}`;
    let entry = cache.current.get(key);
    if (!entry) {
      const fresh: { promise: Promise<SlotCheck | null>; result: SlotCheck | null | undefined } = { promise: api.call('bookings.slots', { ids: [b.id] }).then((r) => r[0] ?? null), result: undefined };
      fresh.promise.then(
        (r) => (fresh.result = r),
        () => cache.current.get(key) === fresh && cache.current.delete(key),
      );
      if (cache.current.size > 50) cache.current.clear();
      cache.current.set(key, fresh);
      entry = fresh;
    }
    return entry;
  }, []);
  useEffect(
    () =>
      api.on('data.changed', ({ tables }) => {
        if (tables.includes('bookings') || tables.includes('intents')) cache.current.clear();
      }),
    [],
  );
  return ask;
}

// eslint-disable-next-line max-lines-per-function -- the one place every booking action goes through (checks, optimistic rows, undo, dialogs)
export function useBookingActions(opts: { onRemoved?: (ids: string[]) => void; onRestored?: (ids: string[]) => void } = {}) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const pushUndo = useUndo((s) => s.push);
  const dropUndo = useUndo((s) => s.drop);
  const [dialog, setDialog] = useState<DialogState>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  const { onRemoved, onRestored } = opts;
  const ask = useSlotCache();
  const writeBlock = useWriteBlock();
  const blockRef = useRef(writeBlock);
  blockRef.current = writeBlock;

  /** Refuses at once (with the reason) when no write can be attempted. */
  const canWrite = useCallback(() => {
    if (!blockRef.current) return true;
    toast({ kind: 'error', message: blockRef.current });
    return false;
  }, [toast]);

  const runBatch = useCallback(
    async (targets: BookingView[], run: (b: BookingView) => Promise<{ intentId: string | null }>, kind: ActionKind, skipped: Array<{ booking: BookingView; block: Block }> = []) => {
      onRemoved?.(targets.map((b) => b.id));
      // Only bulk actions block further bulk actions: single keyboard approvals follow each other as fast as the user presses.
      const bulk = targets.length > 1 || skipped.length > 0;
      if (bulk) setBusy(true);
      // The undo entry goes in before the core answers, so a z pressed right after the key takes this action back.
      const seconds = useApp.getState().settings?.undoSeconds ?? 5;
      let settle: (ids: string[]) => void = () => {};
      const ready = new Promise<string[]>((resolve) => (settle = resolve));
      const entryId = targets.length
        ? pushUndo({ kind, name: targets.length === 1 ? targets[0]!.customer.name : null, count: targets.length, ready, bookingIds: targets.map((b) => b.id), undoable: seconds > 0, seconds, ...(onRestored ? { onRestored } : {}) })
        : null;
      const results: BulkResult[] = [];
      const intentIds: string[] = [];
      // The rows leave and that frame is drawn before the first call goes out (lib/frame.ts says why).
      await afterPaint();
      for (const b of targets) {
        try {
          const r = await run(b);
          if (r.intentId) intentIds.push(r.intentId);
          if (kind === 'approved') approvedHere.add(b.id);
          results.push({ booking: b, ok: true, message: null, intentId: r.intentId });
        } catch (err) {
          results.push({ booking: b, ok: false, message: errorText(t, err), intentId: null });
        }
      }
      settle(intentIds);
      if (bulk) setBusy(false);
      const failed = results.filter((r) => !r.ok);
      if (failed.length) onRestored?.(failed.map((r) => r.booking.id));
      if (entryId !== null && failed.length === results.length) dropUndo(entryId);
      if (bulk) setDialog({ kind: 'results', results, skipped });
      else if (failed[0]) toast({ kind: 'error', message: failed[0].message ?? t('common.error') });
    },
    [onRemoved, onRestored, pushUndo, dropUndo, t, toast],
  );

  const doApprove = useCallback((targets: BookingView[], skipped: Array<{ booking: BookingView; block: Block }> = []) => runBatch(targets, (b) => api.call('bookings.approve', { id: b.id }), 'approved', skipped), [runBatch]);

  /** Bulk: asks the core about every slot, approves the safe ones, lists the held and full ones as left out. */
  const bulkApprove = useCallback(
    async (targets: BookingView[]) => {
      setBusy(true);
      let slots: SlotCheck[] = [];
      try {
        for (let i = 0; i < targets.length; i += 1000) slots = slots.concat(await api.call('bookings.slots', { ids: targets.slice(i, i + 1000).map((b) => b.id) }));
      } catch (err) {
        setBusy(false);
        toast({ kind: 'error', message: t('writes.checkFailed', { message: errorText(t, err) }) });
        return;
      }
      setBusy(false);
      const { safe, blocked } = partition(targets, new Map(slots.map((s) => [s.bookingId, s])));
      await doApprove(safe, blocked);
    },
    [doApprove, t, toast],
  );

  /**
   * Approves when it is safe. The row's own slot answer (queue rows carry one) or a prefetched one
   * decides within the key press; otherwise the row leaves at once and comes back with the warning
   * if the core says its slot is full, so a fast second key press acts on the next row, never twice.
   */
  const approve = useCallback(
    async (targets: Checked[], opts: { force?: boolean } = {}) => {
      if (!targets.length || (busy && targets.length > 1) || !canWrite()) return;
      if (targets.length > 1) return bulkApprove(targets);
      const b = targets[0]!;
      if (opts.force) return doApprove([b]);
      // The core is asked only when the row's own answer cannot decide: a call per key press would
      // make the core work (and, on a 2-core machine, the page wait for a CPU) in the very frame the row leaves.
      const own = b.slot && !isStale(b.slot, approvedHere) ? b.slot : undefined;
      const entry = own === undefined ? ask(b) : null;
      const known = own ?? entry?.result;
      if (isHeld(b)) return setDialog({ kind: 'safety', target: b, block: 'held', slot: known ?? null });
      if (known !== undefined) {
        const block = blockOf(b, known);
        return block ? setDialog({ kind: 'safety', target: b, block, slot: known }) : doApprove([b]);
      }
      if (!entry) return;
      onRemoved?.([b.id]);
      let slot: SlotCheck | null;
      try {
        slot = await entry.promise;
      } catch (err) {
        onRestored?.([b.id]);
        toast({ kind: 'error', message: t('writes.checkFailed', { message: errorText(t, err) }) });
        return;
      }
      const block = blockOf(b, slot);
      if (block) {
        onRestored?.([b.id]);
        setDialog({ kind: 'safety', target: b, block, slot });
      } else await doApprove([b]);
    },
    [busy, canWrite, bulkApprove, doApprove, ask, onRemoved, onRestored, toast, t],
  );

  const prefetch = useCallback((b: BookingView | null) => void (b && ask(b)), [ask]);
  const decline = useCallback((targets: BookingView[]) => void (targets.length && canWrite() && setDialog({ kind: 'cancel', mode: 'decline', targets })), [canWrite]);
  const cancel = useCallback((target: BookingView) => void (canWrite() && setDialog({ kind: 'cancel', mode: target.status === 'PENDING' ? 'decline' : 'cancel', targets: [target] })), [canWrite]);
  const reschedule = useCallback((target: BookingView) => void (canWrite() && setDialog({ kind: 'reschedule', target })), [canWrite]);
  const close = useCallback(() => setDialog({ kind: 'none' }), []);

  let dialogs: ReactNode = null;
  if (dialog.kind === 'safety')
    dialogs = (
      <SafetyDialog
        {...dialog}
        onCancel={close}
        onConfirm={() => {
          close();
          void doApprove([dialog.target]);
        }}
      />
    );
  else if (dialog.kind === 'cancel')
    dialogs = (
      <CancelDialog
        mode={dialog.mode}
        targets={dialog.targets}
        onCancel={close}
        onConfirm={(reason) => {
          close();
          void runBatch(dialog.targets, (b) => api.call('bookings.cancel', { id: b.id, reason }), dialog.mode === 'decline' ? 'declined' : 'cancelled');
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
            (r) => void pushUndo({ kind: 'rescheduled', name: b.customer.name, count: 1, ready: Promise.resolve(r.intentId ? [r.intentId] : []), bookingIds: [], undoable: !!r.intentId && (useApp.getState().settings?.undoSeconds ?? 5) > 0, seconds: useApp.getState().settings?.undoSeconds ?? 5 }),
            (err) => toast({ kind: 'error', message: errorText(t, err) }),
          );
        }}
      />
    );
  else if (dialog.kind === 'results') {
    const skipped = dialog.skipped;
    dialogs = (
      <ResultsDialog
        title={t('bulk.title')}
        results={dialog.results}
        skipped={skipped}
        onClose={close}
        onInclude={
          skipped.length
            ? () => {
                close();
                void doApprove(skipped.map((s) => s.booking));
              }
            : null
        }
      />
    );
  }

  return { approve, decline, cancel, reschedule, prefetch, dialogs, dialogOpen: dialog.kind !== 'none', busy, writeBlock };
}
