/**
 * Coupons: list, create (upper-casing, validation, COUPON_CODE_TAKEN), get, patch, soft delete,
 * includeDeleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFields, expectCoupon, expectError, expectListShape, expectOk, ISO_MS, startHarness } from './harness.ts';
import type { Harness, Json } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ seed: 'none' });
});
afterAll(async () => {
  await h?.dispose();
});

async function createCoupon(body: Record<string, unknown>): Promise<Json> {
  return expectOk(await h.api('POST', '/v1/api/coupons', { body }), 201);
}

describe('an empty list', () => {
  it('answers data [], nextCursor null and hasMore false when nothing exists', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/coupons'));
    expectListShape(body);
    expect(body.data).toEqual([]);
    expect(body.nextCursor).toBeNull();
    expect(body.hasMore).toBe(false);
  });
});

describe('POST /v1/api/coupons', () => {
  it('creates a PERCENT coupon, upper-casing the code', async () => {
    const c = await createCoupon({
      code: 'summer25',
      kind: 'PERCENT',
      amount: 25,
      validUntil: '2026-06-30T23:59:59.000Z',
      maxRedemptions: 500,
      minSubtotalCents: 5000,
    });
    expectCoupon(c);
    expect(c.code).toBe('SUMMER25');
    expect(c.kind).toBe('PERCENT');
    expect(c.amount).toBe(25);
    expect(c.currency).toBeNull();
    expect(c.validFrom).toBeNull();
    expect(c.validUntil).toBe('2026-06-30T23:59:59.000Z');
    expect(c.maxRedemptions).toBe(500);
    expect(c.minSubtotalCents).toBe(5000);
    expect(c.redeemedCount).toBe(0);
    expect(c.active).toBe(true);
    expect(c.deletedAt).toBeNull();
    expect(c.version).toBe(1);
    expect(expectOk(await h.api('GET', `/v1/api/coupons/${c.id}`))).toEqual(c);
  });

  it('creates a FIXED coupon with a currency', async () => {
    const c = await createCoupon({ code: 'TENOFF', kind: 'FIXED', amount: 1000, currency: 'USD' });
    expectCoupon(c);
    expect(c.kind).toBe('FIXED');
    expect(c.amount).toBe(1000);
    expect(c.currency).toBe('USD');
  });

  it('validates per field', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['code', { code: 'AB', kind: 'PERCENT', amount: 10 }],
      ['code', { code: 'has space', kind: 'PERCENT', amount: 10 }],
      ['code', { code: 'X'.repeat(41), kind: 'PERCENT', amount: 10 }],
      ['kind', { code: 'KINDLESS', kind: 'BOGO', amount: 10 }],
      ['amount', { code: 'PCT0', kind: 'PERCENT', amount: 0 }],
      ['amount', { code: 'PCT101', kind: 'PERCENT', amount: 101 }],
      ['amount', { code: 'PCTFRAC', kind: 'PERCENT', amount: 12.5 }],
      ['amount', { code: 'FIX0', kind: 'FIXED', amount: 0, currency: 'USD' }],
      ['currency', { code: 'FIXNOCUR', kind: 'FIXED', amount: 100 }],
      [
        'validUntil',
        { code: 'BACKWARDS', kind: 'PERCENT', amount: 10, validFrom: '2026-06-01T00:00:00.000Z', validUntil: '2026-05-01T00:00:00.000Z' },
      ],
      ['maxRedemptions', { code: 'MAXZERO', kind: 'PERCENT', amount: 10, maxRedemptions: 0 }],
      ['minSubtotalCents', { code: 'MINNEG', kind: 'PERCENT', amount: 10, minSubtotalCents: -1 }],
      ['redeemedCount', { code: 'REDEEMED', kind: 'PERCENT', amount: 10, redeemedCount: 3 }],
    ];
    for (const [field, body] of cases) {
      const res = await h.api('POST', '/v1/api/coupons', { body });
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(errorFields(res), JSON.stringify(body)).toContain(field);
    }
    // Boundaries that are valid.
    await createCoupon({ code: 'PCT100', kind: 'PERCENT', amount: 100 });
    await createCoupon({ code: 'PCT1', kind: 'PERCENT', amount: 1, maxRedemptions: null, minSubtotalCents: 0 });
    await createCoupon({ code: 'A_B-9', kind: 'PERCENT', amount: 1 });
  });

  it('answers 409 COUPON_CODE_TAKEN for a live code (case-insensitively), but not after delete', async () => {
    const c = await createCoupon({ code: 'UNIQUE1', kind: 'PERCENT', amount: 5 });
    expectError(await h.api('POST', '/v1/api/coupons', { body: { code: 'unique1', kind: 'PERCENT', amount: 5 } }), 409, 'COUPON_CODE_TAKEN');
    const other = await createCoupon({ code: 'UNIQUE2', kind: 'PERCENT', amount: 5 });
    expectError(await h.api('PATCH', `/v1/api/coupons/${other.id}`, { body: { code: 'UNIQUE1' } }), 409, 'COUPON_CODE_TAKEN');
    expectOk(await h.api('DELETE', `/v1/api/coupons/${c.id}`));
    const again = await createCoupon({ code: 'UNIQUE1', kind: 'PERCENT', amount: 5 });
    expect(again.id).not.toBe(c.id);
  });
});

describe('PATCH and DELETE /v1/api/coupons/:id', () => {
  it('patches fields, bumps version, and keeps redeemedCount read-only', async () => {
    const c = await createCoupon({ code: 'PATCHME', kind: 'PERCENT', amount: 10 });
    const p = expectOk(await h.api('PATCH', `/v1/api/coupons/${c.id}`, { body: { amount: 15, active: false, maxRedemptions: 3 } }));
    expectCoupon(p);
    expect(p.amount).toBe(15);
    expect(p.active).toBe(false);
    expect(p.maxRedemptions).toBe(3);
    expect(p.version).toBe(c.version + 1);
    const ro = await h.api('PATCH', `/v1/api/coupons/${c.id}`, { body: { redeemedCount: 9 } });
    expectError(ro, 422, 'VALIDATION_FAILED');
    expect(errorFields(ro)).toContain('redeemedCount');
    const bad = await h.api('PATCH', `/v1/api/coupons/${c.id}`, { body: { amount: 500 } });
    expectError(bad, 422, 'VALIDATION_FAILED');
    expect(errorFields(bad)).toContain('amount');
    const got = expectOk(await h.api('GET', `/v1/api/coupons/${c.id}`));
    expect(got).toEqual(p);
  });

  it('soft-deletes: deletedAt set, active false, hidden unless includeDeleted=true', async () => {
    const c = await createCoupon({ code: 'GONE', kind: 'PERCENT', amount: 10 });
    const d = expectOk(await h.api('DELETE', `/v1/api/coupons/${c.id}`));
    expectCoupon(d);
    expect(d.id).toBe(c.id);
    expect(d.deletedAt).toMatch(ISO_MS);
    expect(d.active).toBe(false);
    expect(d.version).toBe(c.version + 1);

    const list = expectOk(await h.api('GET', '/v1/api/coupons?limit=500'));
    expectListShape(list);
    expect((list.data as Json[]).map((x) => x.id)).not.toContain(c.id);
    const withDeleted = expectOk(await h.api('GET', '/v1/api/coupons?includeDeleted=true&limit=500'));
    const row = (withDeleted.data as Json[]).find((x) => x.id === c.id);
    expect(row).toBeDefined();
    expect(row.deletedAt).toMatch(ISO_MS);
  });
});

describe('GET /v1/api/coupons', () => {
  it('lists full coupon records in change order', async () => {
    const a = await createCoupon({ code: 'ORDER_A', kind: 'PERCENT', amount: 10 });
    const b = await createCoupon({ code: 'ORDER_B', kind: 'PERCENT', amount: 10 });
    expectOk(await h.api('PATCH', `/v1/api/coupons/${a.id}`, { body: { amount: 11 } }));
    const list = expectOk(await h.api('GET', '/v1/api/coupons?limit=500'));
    expectListShape(list);
    for (const c of list.data as Json[]) expectCoupon(c);
    const ids = (list.data as Json[]).map((x) => x.id);
    expect(ids.indexOf(a.id)).toBeGreaterThan(ids.indexOf(b.id));
    expect(ids[ids.length - 1]).toBe(a.id);
  });
});
