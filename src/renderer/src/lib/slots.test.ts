import { describe, expect, it } from 'vitest';
import type { AvailabilityRuleView, BookingView } from '../../../shared/contract/types.ts';
import { freeSlots } from './slots.ts';

const rule = (over: Partial<AvailabilityRuleView> = {}): AvailabilityRuleView => ({ id: 'r', offeringId: 'o', dayOfWeek: 1, startTime: '09:00', endTime: '12:00', slotMinutes: 60, capacity: 1, validFrom: null, validUntil: null, ...over });
const taken = (id: string, startsAt: string, endsAt: string, status: BookingView['status'] = 'CONFIRMED') =>
  ({ id, status, items: [{ id: `${id}_i`, offeringId: 'o', startsAt, endsAt, quantity: 1, priceCents: 0 }] }) as unknown as BookingView;

describe('freeSlots', () => {
  // 2026-07-13 is a Monday; Madrid is UTC+2 in July.
  it('cuts the weekly rule into slots in the offering zone', () => {
    const slots = freeSlots('2026-07-13', 'Europe/Madrid', [rule()], [], 'self');
    expect(slots.map((s) => s.startsAt)).toEqual(['2026-07-13T07:00:00.000Z', '2026-07-13T08:00:00.000Z', '2026-07-13T09:00:00.000Z']);
  });
  it('drops slots at capacity, ignores the booking being moved and cancelled ones', () => {
    const list = [taken('a', '2026-07-13T07:00:00.000Z', '2026-07-13T08:00:00.000Z'), taken('self', '2026-07-13T08:00:00.000Z', '2026-07-13T09:00:00.000Z'), taken('c', '2026-07-13T09:00:00.000Z', '2026-07-13T10:00:00.000Z', 'CANCELLED')];
    expect(freeSlots('2026-07-13', 'Europe/Madrid', [rule()], list, 'self').length).toBe(2);
    expect(freeSlots('2026-07-13', 'Europe/Madrid', [rule({ capacity: 2 })], list, 'self').length).toBe(3);
  });
  it('respects the weekday and validity window', () => {
    expect(freeSlots('2026-07-14', 'Europe/Madrid', [rule()], [], 'x')).toEqual([]);
    expect(freeSlots('2026-07-13', 'Europe/Madrid', [rule({ validUntil: '2026-07-01' })], [], 'x')).toEqual([]);
  });
});
