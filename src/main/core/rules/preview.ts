/**
 * The preview before a rule is switched on: what it would have done over the replica's last N days.
 * Every booking created in the window on the rule's offerings is taken as a request the rule would
 * have seen, evaluated as at its creation (lead time from `created_at`, earlier completed bookings
 * before it), with the slot's room counted from the bookings that held places (CONFIRMED, COMPLETED,
 * PENDING). Of the matches it counts the ones the customer later cancelled, the disputed ones, and
 * the ones whose slot had no room ("overlapped").
 */
import type { BookingView, RuleInput, RulePreview, RulePreviewItem } from '../../../shared/contract/types.ts';
import { firstStartOf } from '../bookings/front-desk.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { evaluateRule, hasRoom } from './evaluate.ts';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SlotRooms, completedBefore, historyHolders } from './facts.ts';

export interface PreviewHost {
  readonly replica: Replica;
  bookingViews(rows: BookingsTable[]): BookingView[];
  tenant(): { timezone: string } | null;
}

export const PREVIEW_DEFAULT_DAYS = 30;
const LIST_LIMIT = 500;
const CHUNK = 250;

/** Yields to the event loop between chunks of bookings: a year of history never holds the core for long. */
export async function previewRule(host: PreviewHost, rule: RuleInput, days = PREVIEW_DEFAULT_DAYS, now = Date.now()): Promise<RulePreview> {
  const { replica } = host;
  const from = new Date(now - days * 86_400_000).toISOString();
  const offerings = rule.offeringIds ?? [];
  const where = offerings.length > 0 ? `AND offering_id IN (${offerings.map(() => '?').join(',')})` : '';
  const rows = replica.stmt(`SELECT * FROM bookings WHERE created_at >= ? ${where} ORDER BY created_at DESC, id DESC`).all(from, ...offerings) as BookingsTable[];
  const timeZone = host.tenant()?.timezone ?? 'UTC';
  const disputed = replica.stmt('SELECT 1 FROM disputes WHERE booking_id = ? LIMIT 1');
  const rooms = new SlotRooms(replica, timeZone, historyHolders);
  const preview: RulePreview = { days, from, considered: rows.length, matched: 0, cancelledByCustomer: 0, disputed: 0, overlapped: 0, items: [] };
  for (let i = 0; i < rows.length; i += CHUNK) {
    if (i > 0) await yieldToLoop();
    const part = rows.slice(i, i + CHUNK);
    const truth = new Map(part.map((r) => [r.id, r]));
    for (const overlaid of host.bookingViews(part)) {
      // History is judged on server truth, not on what this console has queued since.
      const row = truth.get(overlaid.id)!;
      const view: BookingView = { ...overlaid, status: overlaid.serverStatus };
      // The slot's room is read only when the rule asks for it or for a match (its "overlapped" mark).
      let slot = rule.conditions.noOverlap ? rooms.of(view) : null;
      const verdict = evaluateRule(rule, view, {
        now: Date.parse(view.createdAt),
        timeZone,
        slot,
        completedBefore: rule.conditions.minCompletedBookings !== undefined ? completedBefore(replica, view.customer.id, view.createdAt) : 0,
      });
      if (!verdict.matched) continue;
      slot ??= rooms.of(view);
      const item: RulePreviewItem = {
        bookingId: view.id,
        customerName: view.customer.name,
        offeringTitle: view.offeringTitle,
        startsAt: firstStartOf(view),
        createdAt: view.createdAt,
        status: view.status,
        totalCents: view.totalCents,
        currency: view.currency,
        riskScore: view.riskScore,
        cancelledByCustomer: row.status === 'CANCELLED' && row.cancelled_by === 'customer',
        disputed: !!disputed.get(view.id),
        overlapped: !hasRoom(slot),
      };
      preview.matched++;
      if (item.cancelledByCustomer) preview.cancelledByCustomer++;
      if (item.disputed) preview.disputed++;
      if (item.overlapped) preview.overlapped++;
      if (preview.items.length < LIST_LIMIT) preview.items.push(item);
    }
  }
  return preview;
}
