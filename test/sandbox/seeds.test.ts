/**
 * Seeds: `demo` gives a believable tenant (several product types, bookings in the past and the
 * future, some PENDING, coupons, availability) for atlas and rows for harbor; `none` gives both
 * tenants and no rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBooking, expectCoupon, expectError, expectOffering, expectOk, KEYS, listAll, startHarness } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json } from './harness.ts';

let demo: Harness;
let none: Harness;

beforeAll(async () => {
  [demo, none] = await Promise.all([startHarness({ seed: 'demo' }), startHarness({ seed: 'none' })]);
});
afterAll(async () => {
  await Promise.all([demo?.dispose(), none?.dispose()]);
});

describe("seed: 'demo'", () => {
  it('has offerings of several product types, most of them published', async () => {
    const { items } = await listAll(demo, '/v1/api/offerings?status=ALL');
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const o of items) expectOffering(o);
    const types = new Set(items.map((o) => o.productTypeKey));
    expect(types.size).toBeGreaterThanOrEqual(3);
    expect(items.filter((o) => o.status === 'PUBLISHED').length).toBeGreaterThan(0);
    expect(new Set(items.map((o) => o.cancellationPolicy)).size).toBeGreaterThanOrEqual(2);
    const published = await listAll(demo, '/v1/api/offerings');
    expect(published.items.length).toBe(items.filter((o) => o.status === 'PUBLISHED').length);
  });

  it('has bookings in the past and in the future, some PENDING, all well-formed', async () => {
    const { items } = await listAll(demo, '/v1/api/bookings');
    expect(items.length).toBeGreaterThanOrEqual(10);
    for (const b of items) expectBooking(b);
    const now = Date.now();
    const starts = items.map((b: Json) => Date.parse(b.items[0].startsAt));
    expect(starts.some((t) => t < now)).toBe(true);
    expect(starts.some((t) => t > now)).toBe(true);
    const pending = items.filter((b) => b.status === 'PENDING');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((b) => Date.parse(b.items[0].startsAt) > now)).toBe(true);
    expect(items.some((b) => b.status === 'CONFIRMED')).toBe(true);
    // Bookings point at offerings of the tenant.
    const offs = await listAll(demo, '/v1/api/offerings?status=ALL&includeDeleted=true');
    const offIds = new Set(offs.items.map((o) => o.id));
    expect(offIds.size).toBeGreaterThan(0);
    expect(items.filter((b) => !offIds.has(b.offeringId)).map((b) => b.offeringId)).toEqual([]);
    expect(items.some((b) => b.status === 'COMPLETED')).toBe(true);
  });

  it('lets the background clock complete every CONFIRMED booking that has ended', async () => {
    await waitFor(
      async () => {
        const { items } = await listAll(demo, '/v1/api/bookings?status=CONFIRMED');
        const now = Date.now();
        return items.every((b) => Math.max(...(b.items as Json[]).map((it) => Date.parse(it.endsAt))) > now - 60_000);
      },
      'no ended CONFIRMED bookings', 10_000, 200,
    );
  });

  it('has a HELD PENDING booking; approving it clears the hold and captures payments', async () => {
    const { items } = await listAll(demo, '/v1/api/bookings?status=PENDING');
    const held = items.find((b) => b.riskReviewStatus === 'HELD');
    expect(held, 'a PENDING booking held for risk review').toBeDefined();
    const a = expectOk(await demo.api('POST', `/v1/api/bookings/${held.id}/approve`, { body: {} }));
    expect(a.status).toBe('CONFIRMED');
    expect(a.riskReviewStatus).toBe('CLEARED');
    expect((a.payments as Json[]).every((p) => p.status === 'CAPTURED')).toBe(true);
  });

  it('keeps REFUNDED and COMPLETED bookings out of approve, cancel and reschedule', async () => {
    const refunded = (await listAll(demo, '/v1/api/bookings?status=REFUNDED')).items[0];
    const completed = (await listAll(demo, '/v1/api/bookings?status=COMPLETED')).items[0];
    expect(refunded, 'a REFUNDED booking in the demo').toBeDefined();
    expect(completed, 'a COMPLETED booking in the demo').toBeDefined();
    for (const b of [refunded, completed]) {
      const ap = await demo.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} });
      expectError(ap, 409, 'BOOKING_NOT_PENDING');
      expect(ap.body.error.details.current.status).toBe(b.status);
      const ca = await demo.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} });
      expectError(ca, 409, 'BOOKING_NOT_ACTIVE');
      expect(ca.body.error.details.current.id).toBe(b.id);
      const it0 = b.items[0];
      const re = await demo.api('PATCH', `/v1/api/bookings/${b.id}`, {
        body: { itemId: it0.id, startsAt: it0.startsAt, endsAt: new Date(Date.parse(it0.endsAt) + 60_000).toISOString() },
      });
      expectError(re, 409, 'BOOKING_NOT_ACTIVE');
      const after = expectOk(await demo.api('GET', `/v1/api/bookings/${b.id}`));
      expect(after.version).toBe(b.version);
      expect(after.status).toBe(b.status);
    }
  });

  it('simulate/booking with no arguments books a PENDING booking for atlas', async () => {
    const res = await demo.admin('POST', '/_sandbox/simulate/booking', {});
    expect(res.status, res.text).toBeLessThan(300);
    const b = res.body.booking ?? res.body;
    expectBooking(b);
    expect(b.status).toBe('PENDING');
    expect(expectOk(await demo.api('GET', `/v1/api/bookings/${b.id}`)).id).toBe(b.id);
  });

  it('has coupons and availability rules', async () => {
    const { items } = await listAll(demo, '/v1/api/coupons');
    expect(items.length).toBeGreaterThan(0);
    for (const c of items) expectCoupon(c);
    const av = expectOk(await demo.api('GET', '/v1/api/availability'));
    expect(av.rules.length).toBeGreaterThan(0);
    expect(av.exceptions.length).toBeGreaterThan(0);
  });
});

describe("seed: 'none'", () => {
  it('has both tenants and no rows', async () => {
    const atlas = expectOk(await none.api('GET', '/v1/api/me'));
    expect(atlas.tenant.subdomain).toBe('atlas');
    const harbor = expectOk(await none.api('GET', '/v1/api/me', { key: KEYS.harborRw }));
    expect(harbor.tenant.subdomain).toBe('harbor');
    for (const key of [KEYS.atlasRw, KEYS.harborRw]) {
      for (const path of ['/v1/api/offerings?status=ALL&includeDeleted=true', '/v1/api/bookings', '/v1/api/coupons?includeDeleted=true']) {
        const body = expectOk(await none.api('GET', path, { key }));
        expect(body.data, `${path} ${key}`).toEqual([]);
      }
      const av = expectOk(await none.api('GET', '/v1/api/availability', { key }));
      expect(av.rules).toEqual([]);
      expect(av.exceptions).toEqual([]);
    }
  });
});

describe('live mode', () => {
  it('a simulated customer keeps changing the tenant (new or changed bookings / offerings in the feed)', async () => {
    const x = await startHarness({ seed: 'demo', live: 0.05 });
    try {
      const all = await listAll(x, '/v1/api/bookings');
      const offs = await listAll(x, '/v1/api/offerings?status=ALL');
      await waitFor(
        async () => {
          const b = expectOk(await x.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(all.lastCursor!)}`));
          const o = expectOk(await x.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(offs.lastCursor!)}`));
          return b.data.length + o.data.length >= 3;
        },
        'live changes', 10_000, 100,
      );
    } finally {
      await x.dispose();
    }
  });
});
