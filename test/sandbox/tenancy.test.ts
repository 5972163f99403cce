/**
 * Tenant boundary: a harbor key never sees or changes atlas rows and vice versa; another tenant's
 * id is answered exactly like a missing id (404 NOT_FOUND).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOffering, expectError, expectOk, hmacHex, KEYS, simulateBooking, startHarness, startReceiver, webhookFence } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json } from './harness.ts';

let h: Harness;
let atlasOffering: Json;
let atlasBooking: Json;
let atlasCoupon: Json;
let harborOffering: Json;
let harborBooking: Json;
let harborCoupon: Json;

beforeAll(async () => {
  h = await startHarness({ seed: 'none' });
  atlasOffering = await createOffering(h, { status: 'PUBLISHED', slug: 'shared-slug' });
  harborOffering = await createOffering(h, { status: 'PUBLISHED', slug: 'shared-slug', currency: 'EUR' }, KEYS.harborRw);
  const start = new Date(Date.now() + 10 * 86_400_000).toISOString();
  atlasBooking = await simulateBooking(h, { tenant: 'atlas', offeringId: atlasOffering.id, startsAt: start });
  harborBooking = await simulateBooking(h, { tenant: 'harbor', offeringId: harborOffering.id, startsAt: start });
  atlasCoupon = expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'SAMECODE', kind: 'PERCENT', amount: 10 } }), 201);
  harborCoupon = expectOk(
    await h.api('POST', '/v1/api/coupons', { key: KEYS.harborRw, body: { code: 'SAMECODE', kind: 'PERCENT', amount: 20 } }),
    201,
  );
});
afterAll(async () => {
  await h?.dispose();
});

const ids = (b: Json): string[] => (b.data as Json[]).map((x) => x.id as string);

describe.each([
  ['harbor', KEYS.harborRw, () => ({ off: atlasOffering, bkg: atlasBooking, cpn: atlasCoupon, own: harborOffering })],
  ['atlas', KEYS.atlasRw, () => ({ off: harborOffering, bkg: harborBooking, cpn: harborCoupon, own: atlasOffering })],
])('a %s key and the other tenant’s rows', (_name, key, rows) => {
  it('lists only its own rows', async () => {
    const { off, bkg, cpn, own } = rows();
    const offs = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&includeDeleted=true&limit=500', { key }));
    expect(ids(offs)).not.toContain(off.id);
    expect(ids(offs)).toContain(own.id);
    const bkgs = expectOk(await h.api('GET', '/v1/api/bookings?limit=500', { key }));
    expect(ids(bkgs)).not.toContain(bkg.id);
    expect(bkgs.data.length).toBe(1);
    const cpns = expectOk(await h.api('GET', '/v1/api/coupons?includeDeleted=true&limit=500', { key }));
    expect(ids(cpns)).not.toContain(cpn.id);
    expect(cpns.data.length).toBe(1);
    const av = expectOk(await h.api('GET', '/v1/api/availability', { key }));
    expect((av.rules as Json[]).map((rule) => rule.offeringId)).not.toContain(off.id);
  });

  it('gets 404 for the other tenant’s ids, and a slug resolves to its own offering', async () => {
    const { off, bkg, cpn, own } = rows();
    expectError(await h.api('GET', `/v1/api/offerings/${off.id}`, { key }), 404, 'NOT_FOUND');
    expectError(await h.api('GET', `/v1/api/bookings/${bkg.id}`, { key }), 404, 'NOT_FOUND');
    expectError(await h.api('GET', `/v1/api/coupons/${cpn.id}`, { key }), 404, 'NOT_FOUND');
    expectError(await h.api('GET', `/v1/api/availability?offeringId=${off.id}`, { key }), 404, 'NOT_FOUND');
    // Exactly like a missing id: same status, code and message (up to the id itself), same headers.
    for (const [path, id, missing] of [
      ['/v1/api/offerings/', off.id, 'off_zzzzzzzzzzzzzzzz'],
      ['/v1/api/bookings/', bkg.id, 'bkg_zzzzzzzzzzzzzzzz'],
      ['/v1/api/coupons/', cpn.id, 'cpn_zzzzzzzzzzzzzzzz'],
    ] as const) {
      const other = await h.api('GET', path + id, { key });
      const none = await h.api('GET', path + missing, { key });
      expect(other.status).toBe(none.status);
      expect(JSON.stringify(other.body).replaceAll(id, '<id>')).toBe(JSON.stringify(none.body).replaceAll(missing, '<id>'));
    }
    const bySlug = expectOk(await h.api('GET', '/v1/api/offerings/shared-slug', { key }));
    expect(bySlug.id).toBe(own.id);
  });

  it('gets 404 for every write on the other tenant’s ids, and nothing changes', async () => {
    const { off, bkg, cpn } = rows();
    const writes: Array<[string, string, unknown]> = [
      ['PATCH', `/v1/api/offerings/${off.id}`, { title: 'Hijacked' }],
      ['DELETE', `/v1/api/offerings/${off.id}`, undefined],
      ['POST', `/v1/api/bookings/${bkg.id}/approve`, {}],
      ['POST', `/v1/api/bookings/${bkg.id}/cancel`, {}],
      ['PATCH', `/v1/api/bookings/${bkg.id}`, { notes: 'Hijacked' }],
      ['PATCH', `/v1/api/coupons/${cpn.id}`, { amount: 99 }],
      ['DELETE', `/v1/api/coupons/${cpn.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      expectError(await h.api(method, path, { key, body }), 404, 'NOT_FOUND');
    }
    const ownerKey = key === KEYS.harborRw ? KEYS.atlasRw : KEYS.harborRw;
    const o = expectOk(await h.api('GET', `/v1/api/offerings/${off.id}`, { key: ownerKey }));
    expect(o.version).toBe(off.version);
    expect(o.deletedAt).toBeNull();
    const b = expectOk(await h.api('GET', `/v1/api/bookings/${bkg.id}`, { key: ownerKey }));
    expect(b.status).toBe('PENDING');
    expect(b.version).toBe(bkg.version);
    const c = expectOk(await h.api('GET', `/v1/api/coupons/${cpn.id}`, { key: ownerKey }));
    expect(c.version).toBe(cpn.version);
    expect(c.active).toBe(true);
  });
});

describe('per-tenant uniqueness', () => {
  it('lets both tenants use the same slug and coupon code', () => {
    expect(atlasOffering.slug).toBe(harborOffering.slug);
    expect(atlasCoupon.code).toBe(harborCoupon.code);
    expect(atlasOffering.id).not.toBe(harborOffering.id);
  });
});

describe('per-tenant change sequence', () => {
  it('a harbor change does not appear in the atlas feed, and vice versa', async () => {
    const atlasCur = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500')).nextCursor;
    const harborCur = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500', { key: KEYS.harborRw })).nextCursor;
    expectOk(await h.api('PATCH', `/v1/api/offerings/${harborOffering.id}`, { key: KEYS.harborRw, body: { title: 'Harbor changed' } }));
    const atlasFeed = expectOk(await h.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(atlasCur)}`));
    expect(atlasFeed.data).toEqual([]);
    const harborFeed = expectOk(
      await h.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(harborCur)}`, { key: KEYS.harborRw }),
    );
    expect(ids(harborFeed)).toEqual([harborOffering.id]);
    expectOk(await h.api('PATCH', `/v1/api/offerings/${atlasOffering.id}`, { body: { title: 'Atlas changed' } }));
    const harborFeed2 = expectOk(
      await h.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(harborFeed.nextCursor)}`, { key: KEYS.harborRw }),
    );
    expect(harborFeed2.data).toEqual([]);
  });
});

describe('per-tenant webhooks', () => {
  it('sends each tenant’s events only to its own subscription, signed with its own secret', async () => {
    const ra = await startReceiver();
    const rh = await startReceiver();
    try {
      expect((await h.admin('PUT', '/_sandbox/webhook', { tenant: 'atlas', url: ra.url, secret: 'atlas-secret', retryBaseMs: 20 })).status).toBeLessThan(300);
      expect((await h.admin('PUT', '/_sandbox/webhook', { tenant: 'harbor', url: rh.url, secret: 'harbor-secret', retryBaseMs: 20 })).status).toBeLessThan(300);
      const start = new Date(Date.now() + 12 * 86_400_000).toISOString();
      const hb = await simulateBooking(h, { tenant: 'harbor', offeringId: harborOffering.id, startsAt: start });
      expectOk(await h.api('POST', `/v1/api/bookings/${hb.id}/approve`, { key: KEYS.harborRw, body: {} }));
      const got = await waitFor(() => rh.events('booking.confirmed').find((x) => x.body.data.bookingId === hb.id), 'harbor\'s booking.confirmed webhook');
      expect(got.headers['x-orkestr-signature']).toBe(hmacHex('harbor-secret', got.raw));
      expect(got.body.data.currency).toBe('EUR');
      await webhookFence(h, ra, [rh]);
      expect(ra.received.filter((x) => x.body?.data?.bookingId === hb.id)).toEqual([]);
    } finally {
      await ra.close();
      await rh.close();
    }
  });
});
