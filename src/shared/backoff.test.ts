import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap (the renderer socket: 0.5 s … 15 s)', () => {
    const top = (attempt: number): number => backoffMs(attempt, 500, 15_000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(top(10_000)).toBe(15_000);
  });

  it('keeps half the delay fixed and jitters the other half', () => {
    expect(backoffMs(4, 500, 15_000, () => 0)).toBe(2000);
    expect(backoffMs(4, 500, 15_000, () => 0.5)).toBe(3000);
    expect(backoffMs(60, 500, 15_000, () => 0)).toBe(7500);
  });

  it('treats attempt 0 (or less) like the first, and defaults to 1 s … 60 s', () => {
    expect(backoffMs(0, 200, 5000, () => 1)).toBe(200);
    expect(backoffMs(-3, 200, 5000, () => 1)).toBe(200);
    expect(backoffMs(1, undefined, undefined, () => 1)).toBe(1000);
    expect(backoffMs(100, undefined, undefined, () => 1)).toBe(60_000);
  });

  it('stays within [ceiling/2, ceiling] with the real random source', () => {
    const delays = Array.from({ length: 200 }, () => backoffMs(3, 250, 4000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
