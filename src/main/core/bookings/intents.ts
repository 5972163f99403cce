/**
 * The booking intents (approve, cancel, reschedule, notes): checked against the booking as the user
 * sees it, then written to the outbox with their optimistic effect. Answers the intent's id, or null
 * when there is nothing to send (already in the asked state).
 */
import { ContractError } from '../../../shared/contract/types.ts';
import type { CoreContext } from '../context.ts';
import { enqueueIntent, recordVersion } from '../sync/intents.ts';
import { recordPath } from '../sync/outbox.ts';
import { bookingDetail, bookingRow } from './views.ts';

function notInReplica(id: string): ContractError {
  return new ContractError('NOT_FOUND', `Booking ${id} is not in the replica (sync first).`);
}

/** `idempotencyKey`: default the intent's own id; a rule's approval derives it from the booking (rules/runner.ts). */
export function approve(ctx: CoreContext, id: string, idempotencyKey?: string): string | null {
  const b = bookingDetail(ctx.replica, id);
  if (!b) throw notInReplica(id);
  if (b.status === 'CONFIRMED') return null;
  if (b.status !== 'PENDING') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; it cannot be approved (only PENDING bookings can).`);
  return enqueueIntent(ctx, 'booking.approve', id, {}, { method: 'POST', path: `${recordPath('booking', id)}/approve`, body: '{}' }, recordVersion(ctx.replica, 'bookings', id), idempotencyKey).id;
}

export function cancel(ctx: CoreContext, id: string, reason: string): string | null {
  const b = bookingDetail(ctx.replica, id);
  if (!b) throw notInReplica(id);
  if (b.status === 'CANCELLED') return null;
  if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be cancelled.`);
  return enqueueIntent(ctx, 'booking.cancel', id, { reason }, { method: 'POST', path: `${recordPath('booking', id)}/cancel`, body: JSON.stringify({ reason }) }, recordVersion(ctx.replica, 'bookings', id)).id;
}

export function reschedule(ctx: CoreContext, id: string, itemId: string, startsAt: string, endsAt: string): string {
  const b = bookingDetail(ctx.replica, id);
  if (!b) throw notInReplica(id);
  if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be rescheduled.`);
  if (!b.items.some((i) => i.id === itemId)) throw new ContractError('BAD_INPUT', `Booking ${id} has no item ${itemId}.`, [{ path: 'itemId', message: 'unknown item' }]);
  const s = new Date(startsAt).toISOString();
  const e = new Date(endsAt).toISOString();
  if (e <= s) throw new ContractError('BAD_INPUT', 'endsAt must be after startsAt.', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  const payload = { itemId, startsAt: s, endsAt: e };
  return enqueueIntent(ctx, 'booking.reschedule', id, payload, { method: 'PATCH', path: recordPath('booking', id), body: JSON.stringify(payload) }, recordVersion(ctx.replica, 'bookings', id)).id;
}

export function setNotes(ctx: CoreContext, id: string, notes: string): string {
  if (!bookingRow(ctx.replica, id)) throw notInReplica(id);
  return enqueueIntent(ctx, 'booking.notes', id, { notes }, { method: 'PATCH', path: recordPath('booking', id), body: JSON.stringify({ notes }) }, recordVersion(ctx.replica, 'bookings', id)).id;
}
