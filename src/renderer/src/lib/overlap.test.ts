import { describe, expect, it } from 'vitest';
import type { BookingView } from '../../../shared/contract/types.ts';
import { findOverlaps, intervalsOverlap, queryWindow } from './overlap.ts';

function booking(id: string, status: BookingView['status'], offeringId: string, startsAt: string, endsAt: string): BookingView {
  return {
    id, status, serverStatus: status, offeringId, offeringTitle: offeringId,
    customer: { id: 'c', name: 'C', email: 'c@x', timezone: null },
    items: [{ id: `${id}_i`, offeringId, startsAt, endsAt, quantity: 1, priceCents: 100 }],
    totalCents: 100, currency: 'EUR', riskScore: null, riskReviewStatus: null, notes: '', createdAt: startsAt, updatedAt: startsAt,
    syncState: 'synced', refundPercent: null, cancelReason: null,
  };
}

describe('overlaps', () => {
  it('treats touching slots as free', () => {
    expect(intervalsOverlap('2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', '2026-01-01T11:00:00Z', '2026-01-01T12:00:00Z')).toBe(false);
    expect(intervalsOverlap('2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', '2026-01-01T10:30:00Z', '2026-01-01T12:00:00Z')).toBe(true);
  });
  it('finds CONFIRMED and PENDING collisions on the same offering only', () => {
    const t = booking('a', 'PENDING', 'o1', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z');
    const all = [
      t,
      booking('b', 'CONFIRMED', 'o1', '2026-01-01T10:30:00Z', '2026-01-01T11:30:00Z'),
      booking('c', 'PENDING', 'o1', '2026-01-01T09:00:00Z', '2026-01-01T10:15:00Z'),
      booking('d', 'CANCELLED', 'o1', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z'),
      booking('e', 'CONFIRMED', 'o2', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z'),
    ];
    const groups = findOverlaps([t], all);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.overlaps.map((o) => o.other.id).sort()).toEqual(['b', 'c']);
    expect(findOverlaps([t], all, new Set(['b', 'c']))).toEqual([]);
  });
  it('widens the query window', () => {
    const w = queryWindow([booking('a', 'PENDING', 'o1', '2026-01-02T10:00:00.000Z', '2026-01-02T11:00:00.000Z')]);
    expect(w).toEqual({ from: '2026-01-01T10:00:00.000Z', to: '2026-01-03T11:00:00.000Z' });
  });
});
