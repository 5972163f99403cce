/**
 * What makes an approval unsafe, decided from the core's answers (never computed here): a booking
 * held for risk review, or a slot the core counts as full (CONFIRMED places plus this booking's own
 * exceed the slot's capacity). Reflex keys (Enter, a repeated `a`) and bulk actions leave those alone.
 */
import type { BookingView, SlotCheck } from '../../../shared/contract/types.ts';

export type Block = 'held' | 'full';

/** A booking as the queue shows it: the view, and the core's slot check when the row carries one. */
export type Checked = BookingView & { slot?: SlotCheck };

export function isHeld(b: Pick<BookingView, 'riskReviewStatus'>): boolean {
  return b.riskReviewStatus === 'HELD';
}

/** Why approving `b` needs an explicit choice: held first (the stronger reason), then a full slot. */
export function blockOf(b: Pick<BookingView, 'riskReviewStatus'>, slot: SlotCheck | null | undefined): Block | null {
  if (isHeld(b)) return 'held';
  if (slot?.state === 'full') return 'full';
  return null;
}

/**
 * A row's slot answer is stale when a booking competing for the same places was approved here
 * since the answer was given: the next answer may say full. Such rows are asked again.
 */
export function isStale(slot: SlotCheck | undefined, approvedHere: ReadonlySet<string>): boolean {
  if (!slot) return true;
  return slot.competingIds.some((id) => approvedHere.has(id));
}

/** Bulk approval: the safe ones go, the held and full ones are left out (and said so). */
export function partition<B extends BookingView>(targets: readonly B[], slots: ReadonlyMap<string, SlotCheck>): { safe: B[]; blocked: Array<{ booking: B; block: Block }> } {
  const safe: B[] = [];
  const blocked: Array<{ booking: B; block: Block }> = [];
  for (const b of targets) {
    const block = blockOf(b, slots.get(b.id));
    if (block) blocked.push({ booking: b, block });
    else safe.push(b);
  }
  return { safe, blocked };
}
