/**
 * What the UI sees = server truth with the pending local intents laid over it, in queue order.
 *
 * - queued (including held) and sending intents apply their optimistic effect;
 * - an intent in *attention* (refused by the server) applies nothing: the record shows the server's
 *   truth, marked `attention`, until the user resolves the conflict;
 * - done / discarded intents are history only (a done intent's result is already in the truth).
 */
import type { IntentKind, IntentState, IntentView, SyncState } from '../../../shared/contract/types.ts';
import { coreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';
import type { OutboxTable } from '../db/schema.ts';

export const activeStates = ['queued', 'sending', 'attention'] as const;

export type IntentRow = OutboxTable;

export interface BookingTruth {
  status: string;
  notes: string;
  items: Array<{ id: string; startsAt: string; endsAt: string }>;
}

export interface BookingOverlayResult {
  status: string;
  notes: string;
  /** itemId → new times */
  items: Map<string, { startsAt: string; endsAt: string }>;
  startsAt: string | null;
  syncState: SyncState;
  cancelReason: string | null;
}

export function parsePayload(row: Pick<OutboxTable, 'payload'>): Record<string, unknown> {
  try {
    const value = JSON.parse(row.payload) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function overlayBooking(truth: BookingTruth, intents: readonly Pick<OutboxTable, 'kind' | 'payload' | 'state'>[]): BookingOverlayResult {
  let status = truth.status;
  let notes = truth.notes;
  let cancelReason: string | null = null;
  let syncState: SyncState = 'synced';
  const items = new Map<string, { startsAt: string; endsAt: string }>();
  for (const intent of intents) {
    if (intent.state === 'attention') {
      syncState = 'attention';
      continue;
    }
    if (intent.state !== 'queued' && intent.state !== 'sending') continue;
    if (syncState === 'synced') syncState = 'pending';
    const p = parsePayload(intent);
    switch (intent.kind as IntentKind) {
      case 'booking.approve':
        if (status === 'PENDING') status = 'CONFIRMED';
        break;
      case 'booking.cancel':
        if (status === 'PENDING' || status === 'CONFIRMED') status = 'CANCELLED';
        cancelReason = typeof p['reason'] === 'string' ? p['reason'] : null;
        break;
      case 'booking.reschedule':
        if (typeof p['itemId'] === 'string' && typeof p['startsAt'] === 'string' && typeof p['endsAt'] === 'string') {
          items.set(p['itemId'], { startsAt: p['startsAt'], endsAt: p['endsAt'] });
        }
        break;
      case 'booking.notes':
        if (typeof p['notes'] === 'string') notes = p['notes'];
        break;
      default:
        break;
    }
  }
  let startsAt: string | null = null;
  for (const item of truth.items) {
    const s = items.get(item.id)?.startsAt ?? item.startsAt;
    if (startsAt === null || s < startsAt) startsAt = s;
  }
  return { status, notes, items, startsAt, syncState, cancelReason };
}

/** Overlay for a generic record (offering, coupon) given as camelCase fields. */
export function overlayRecord<T extends Record<string, unknown>>(
  truth: T | null,
  intents: readonly Pick<OutboxTable, 'kind' | 'payload' | 'state'>[],
): { record: T | null; deleted: boolean; syncState: SyncState } {
  let record: T | null = truth ? { ...truth } : null;
  let deleted = false;
  let syncState: SyncState = 'synced';
  for (const intent of intents) {
    if (intent.state === 'attention') {
      syncState = 'attention';
      continue;
    }
    if (intent.state !== 'queued' && intent.state !== 'sending') continue;
    if (syncState === 'synced') syncState = 'pending';
    const p = parsePayload(intent);
    const fields = (p['fields'] ?? {}) as Record<string, unknown>;
    if (intent.kind.endsWith('.create')) record = { ...(record ?? {}), ...fields } as T;
    else if (intent.kind.endsWith('.patch') && record) record = { ...record, ...fields };
    else if (intent.kind.endsWith('.delete')) deleted = true;
  }
  return { record, deleted, syncState };
}

export function intentView(row: IntentRow, now = Date.now()): IntentView {
  let state = row.state as IntentState;
  if (state === 'queued' && row.hold_until && Date.parse(row.hold_until) > now) state = 'held';
  return {
    id: row.id,
    kind: row.kind as IntentKind,
    targetId: row.target_id,
    state,
    createdAt: row.created_at,
    holdUntil: row.hold_until,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export function describeIntent(row: Pick<OutboxTable, 'kind' | 'target_id' | 'payload'>): string {
  const p = parsePayload(row);
  switch (row.kind as IntentKind) {
    case 'booking.approve':
      return `Approve booking ${row.target_id}`;
    case 'booking.cancel':
      return `Cancel booking ${row.target_id}${typeof p['reason'] === 'string' && p['reason'] ? ` (${p['reason']})` : ''}`;
    case 'booking.reschedule':
      return `Reschedule booking ${row.target_id} item ${String(p['itemId'])} to ${String(p['startsAt'])} – ${String(p['endsAt'])}`;
    case 'booking.notes':
      return `Change the notes of booking ${row.target_id}`;
    case 'offering.create':
      return `Create offering "${String((p['fields'] as Record<string, unknown> | undefined)?.['title'] ?? '')}"`;
    case 'offering.patch':
      return `Edit offering ${row.target_id}`;
    case 'offering.delete':
      return `Delete offering ${row.target_id}`;
    case 'coupon.create':
      return `Create coupon ${String((p['fields'] as Record<string, unknown> | undefined)?.['code'] ?? '')}`;
    case 'coupon.patch':
      return `Edit coupon ${row.target_id}`;
    case 'coupon.delete':
      return `Delete coupon ${row.target_id}`;
    default:
      return `${row.kind} ${row.target_id}`;
  }
}

/** What `describeIntent` says, as a code + parameters for the UI to translate. */
export function describeIntentMessage(row: Pick<OutboxTable, 'kind' | 'target_id' | 'payload'>): CoreMessage {
  const p = parsePayload(row);
  const fields = (p['fields'] ?? {}) as Record<string, unknown>;
  const bookingId = row.target_id;
  switch (row.kind as IntentKind) {
    case 'booking.approve':
      return coreMessage('intent.booking.approve', { bookingId });
    case 'booking.cancel':
      return typeof p['reason'] === 'string' && p['reason']
        ? coreMessage('intent.booking.cancelReason', { bookingId, reason: p['reason'] })
        : coreMessage('intent.booking.cancel', { bookingId });
    case 'booking.reschedule':
      return coreMessage('intent.booking.reschedule', { bookingId, itemId: String(p['itemId']), startsAt: String(p['startsAt']), endsAt: String(p['endsAt']) });
    case 'booking.notes':
      return coreMessage('intent.booking.notes', { bookingId });
    case 'offering.create':
      return coreMessage('intent.offering.create', { title: String(fields['title'] ?? '') });
    case 'offering.patch':
      return coreMessage('intent.offering.patch', { offeringId: row.target_id });
    case 'offering.delete':
      return coreMessage('intent.offering.delete', { offeringId: row.target_id });
    case 'coupon.create':
      return coreMessage('intent.coupon.create', { code: String(fields['code'] ?? '') });
    case 'coupon.patch':
      return coreMessage('intent.coupon.patch', { couponId: row.target_id });
    case 'coupon.delete':
      return coreMessage('intent.coupon.delete', { couponId: row.target_id });
    default:
      return coreMessage('intent.other', { kind: row.kind, targetId: row.target_id });
  }
}
