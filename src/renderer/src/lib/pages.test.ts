import { describe, expect, it } from 'vitest';
import { pagesFor } from './pages.ts';

describe('pagesFor', () => {
  it('maps rows to pages', () => {
    expect(pagesFor(190, 410, 200)).toEqual([0, 1, 2]);
    expect(pagesFor(0, 30, 200)).toEqual([0]);
    expect(pagesFor(199, 201, 200)).toEqual([0, 1]);
    expect(pagesFor(0, 0, 200)).toEqual([]);
  });
});
