import { describe, expect, it } from 'vitest';
import { queueGroupOf, refundPercentFor } from './front-desk.ts';
import { localDayAndTime } from './slots.ts';

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

describe('tenant-local day and time (cached zone offsets)', () => {
  it.each([
    ['2026-03-08T06:59:00Z', 'America/New_York', { day: 0, time: '01:59', date: '2026-03-08' }], // before the spring-forward switch
    ['2026-03-08T07:00:00Z', 'America/New_York', { day: 0, time: '03:00', date: '2026-03-08' }], // after it
    ['2026-11-01T05:30:00Z', 'America/New_York', { day: 0, time: '01:30', date: '2026-11-01' }], // first 01:30 (EDT)
    ['2026-11-01T06:30:00Z', 'America/New_York', { day: 0, time: '01:30', date: '2026-11-01' }], // second 01:30 (EST)
    ['2026-06-01T23:30:00Z', 'Asia/Kolkata', { day: 2, time: '05:00', date: '2026-06-02' }],
    ['2026-01-01T00:00:00Z', 'UTC', { day: 4, time: '00:00', date: '2026-01-01' }],
  ] as const)('%s in %s', (iso, zone, expected) => {
    expect(localDayAndTime(iso, zone)).toEqual(expected);
  });
});
