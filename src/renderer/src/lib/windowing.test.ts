import { describe, expect, it } from 'vitest';
import { pagesFor, visibleRange } from './windowing.ts';

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan, for 100k rows', () => {
    const r = visibleRange(44 * 50_000, 440, 44, 100_000, 5);
    expect(r).toEqual({ start: 49_995, end: 50_016 });
    expect(r.end - r.start).toBeLessThan(30);
  });
  it('clamps at both ends', () => {
    expect(visibleRange(0, 440, 44, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(10, 440, 44, 0)).toEqual({ start: 0, end: 0 });
  });
  it('maps rows to pages', () => {
    expect(pagesFor(190, 410, 200)).toEqual([0, 1, 2]);
    expect(pagesFor(0, 0, 200)).toEqual([]);
  });
});
