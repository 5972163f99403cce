import { describe, expect, it } from 'vitest';
import type { BookingView, SlotCheck } from '../../../shared/contract/types.ts';
import { blockOf, isStale, partition } from './safety.ts';

const slot = (bookingId: string, state: SlotCheck['state'], competingIds: string[] = []): SlotCheck => ({ bookingId, state, capacity: 1, taken: state === 'full' ? 1 : 0, quantity: 1, confirmedIds: [], competingIds });
const booking = (id: string, riskReviewStatus: BookingView['riskReviewStatus'] = 'NONE') => ({ id, riskReviewStatus }) as BookingView;

describe('approval safety', () => {
  it('held beats full, unknown capacity is not a block', () => {
    expect(blockOf(booking('a', 'HELD'), slot('a', 'full'))).toBe('held');
    expect(blockOf(booking('a'), slot('a', 'full'))).toBe('full');
    expect(blockOf(booking('a'), slot('a', 'unknown'))).toBeNull();
    expect(blockOf(booking('a', 'CLEARED'), slot('a', 'free'))).toBeNull();
  });
  it('a slot answer is stale once a competitor was approved here, or when there is none', () => {
    expect(isStale(slot('a', 'free', ['b']), new Set(['b']))).toBe(true);
    expect(isStale(slot('a', 'free', ['c']), new Set(['b']))).toBe(false);
    expect(isStale(undefined, new Set())).toBe(true);
  });
  it('bulk leaves held and full out', () => {
    const slots = new Map([['b', slot('b', 'full')], ['c', slot('c', 'free')]]);
    const r = partition([booking('a', 'HELD'), booking('b'), booking('c')], slots);
    expect(r.safe.map((x) => x.id)).toEqual(['c']);
    expect(r.blocked.map((x) => [x.booking.id, x.block])).toEqual([['a', 'held'], ['b', 'full']]);
  });
});
