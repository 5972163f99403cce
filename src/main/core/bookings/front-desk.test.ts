import { describe, expect, it } from 'vitest';
import { queueGroupOf, refundPercentFor } from './front-desk.ts';

describe('refund preview table (docs/orkestr-api.md)', () => {
  it.each([
    ['FLEXIBLE', 200, 100], ['FLEXIBLE', 30, 100], ['FLEXIBLE', 5, 50], ['FLEXIBLE', -1, 0],
    ['MODERATE', 120, 100], ['MODERATE', 24, 50], ['MODERATE', 23.9, 0],
    ['STRICT', 121, 50], ['STRICT', 100, 0],
  ] as const)('%s %d h before → %d %%', (policy, hours, percent) => {
    expect(refundPercentFor(policy, hours)).toBe(percent);
  });
});

describe('queue groups by the tenant-local day', () => {
  const now = Date.parse('2026-03-10T15:00:00Z'); // 11:00 in New York
  it.each([
    ['2026-03-10T14:00:00Z', 'past'],
    ['2026-03-11T03:59:00Z', 'today'], // 23:59 New York
    ['2026-03-11T04:00:00Z', 'tomorrow'],
    ['2026-03-15T12:00:00Z', 'week'],
    ['2026-03-20T12:00:00Z', 'later'],
  ] as const)('%s is %s', (startsAt, group) => {
    expect(queueGroupOf(startsAt, 'America/New_York', now)).toBe(group);
  });
});
