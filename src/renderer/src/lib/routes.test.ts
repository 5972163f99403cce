import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './routes.ts';

describe('routes', () => {
  it('round-trips', () => {
    for (const h of ['#/queue', '#/booking/bkg%2F1', '#/catalogue/coupons', '#/settings']) expect(routeHash(parseRoute(h))).toBe(h);
  });
  it('defaults to the queue', () => {
    expect(parseRoute('')).toEqual({ name: 'queue' });
    expect(parseRoute('#token=abc')).toEqual({ name: 'queue' });
    expect(parseRoute('#/catalogue')).toEqual({ name: 'catalogue', tab: 'offerings' });
  });
});
