/**
 * Webhooks: all seven events reach a local receiver as `{event, data}` with the documented data
 * fields, an X-Orkestr-Signature checked by an independent HMAC over the raw bytes, a delivery id
 * and X-Orkestr-Event; retries keep the delivery id; a receiver that always fails gets 6 attempts
 * and the delivery is marked failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOffering,
  expectOk,
  getDeliveries,
  hmacHex,
  ISO_MS,
  simulateBooking,
  startHarness,
  startReceiver,
} from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json, ReceivedHook, Receiver } from './harness.ts';

const SECRET = 'whsec_conformance_0123456789abcdef';
let h: Harness;
let r: Receiver;
let offering: Json;
let slots: Json[];

beforeAll(async () => {
  r = await startReceiver();
  h = await startHarness({ seed: 'demo', webhook: { url: r.url, secret: SECRET, retryBaseMs: 20 } });
  // A live offering with rules, and free slots to reschedule into.
  const all = expectOk(await h.api('GET', '/v1/api/availability'));
  const live = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500')).data as Json[];
  offering = live.find((o) => (all.rules as Json[]).some((ru) => ru.offeringId === o.id));
  expect(offering).toBeDefined();
  const from = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const av = expectOk(await h.api('GET', `/v1/api/availability?offeringId=${offering.id}&from=${from}&to=${to}`));
  slots = (av.slots as Json[]).filter((s) => s.booked === 0 && s.available >= 1);
  expect(slots.length).toBeGreaterThan(4);
});
afterAll(async () => {
  await h?.dispose();
  await r?.close();
});

const deliveryId = (x: ReceivedHook): string => String(x.headers['x-orkestr-delivery-id']);

/** Envelope, headers and an independent signature check. */
function expectSigned(x: ReceivedHook, event: string): Json {
  expect(x.headers['content-type']).toMatch(/^application\/json/);
  const sig = x.headers['x-orkestr-signature'];
  expect(sig).toMatch(/^[0-9a-f]{64}$/);
  expect(sig).toBe(hmacHex(SECRET, x.raw));
  expect(sig).not.toBe(hmacHex('wrong-secret', x.raw));
  expect(deliveryId(x)).toMatch(/^dlv_/);
  expect(x.headers['x-orkestr-event']).toBe(event);
  expect(Object.keys(x.body).sort()).toEqual(['data', 'event']);
  expect(x.body.event).toBe(event);
  expect(x.body.data).toBeTypeOf('object');
  return x.body.data;
}

function expectBookingEventData(d: Json, b: Json): void {
  expect(d.bookingId).toBe(b.id);
  expect(d.status).toBeTypeOf('string');
  expect(d.offeringId).toBe(b.offeringId);
  expect(d.offeringTitle).toBe(b.offeringTitle);
  expect(d.customerId).toBe(b.customer.id);
  expect(Number.isInteger(d.totalCents)).toBe(true);
  expect(d.currency).toMatch(/^[A-Z]{3}$/);
  expect(Number.isInteger(d.version)).toBe(true);
  expect(d.updatedAt).toMatch(ISO_MS);
  expect(d.booking.id).toBe(b.id);
  expect(d.booking.status).toBe(d.status);
  expect(d.booking.version).toBe(d.version);
  // The documented fields come first.
  expect(Object.keys(d).slice(0, 3)).toEqual(['bookingId', 'status', 'offeringId']);
}

async function one(event: string, pred: (d: Json) => boolean): Promise<ReceivedHook> {
  return waitFor(() => r.events(event).find((x) => pred(x.body.data)), event);
}

describe('the seven events', () => {
  it('booking.confirmed', async () => {
    const b = await simulateBooking(h, { offeringId: offering.id, startsAt: slots[0].startsAt });
    const a = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    const x = await one('booking.confirmed', (d) => d.bookingId === b.id);
    const d = expectSigned(x, 'booking.confirmed');
    expectBookingEventData(d, b);
    expect(d.status).toBe('CONFIRMED');
    expect(d.version).toBe(a.version);
    expect(d.updatedAt).toBe(a.updatedAt);
    expect(d.totalCents).toBe(a.totalCents);
    expect(d.booking).toEqual(a);
  });

  it('booking.cancelled (provider and customer)', async () => {
    const b = await simulateBooking(h, { offeringId: offering.id, startsAt: slots[1].startsAt });
    const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'Double booked' } }));
    const x = await one('booking.cancelled', (d) => d.bookingId === b.id);
    const d = expectSigned(x, 'booking.cancelled');
    expectBookingEventData(d, b);
    expect(d.status).toBe('CANCELLED');
    expect(d.refundPercent).toBe(c.refundPercent);
    expect(d.reason).toBe('Double booked');
    expect(d.cancelledBy).toBe('provider');

    const b2 = await simulateBooking(h, { offeringId: offering.id, startsAt: slots[2].startsAt });
    const res = await h.admin('POST', '/_sandbox/simulate/customer-cancel', { bookingId: b2.id });
    expect(res.status, res.text).toBeLessThan(300);
    const y = await one('booking.cancelled', (dd) => dd.bookingId === b2.id);
    const d2 = expectSigned(y, 'booking.cancelled');
    expect(d2.cancelledBy).toBe('customer');
    expect(Number.isInteger(d2.refundPercent)).toBe(true);
    const after = expectOk(await h.api('GET', `/v1/api/bookings/${b2.id}`));
    expect(after.status).toBe('CANCELLED');
    expect(after.cancelledBy).toBe('customer');
  });

  it('booking.rescheduled', async () => {
    const b = await simulateBooking(h, { offeringId: offering.id, startsAt: slots[3].startsAt });
    const item = b.items[0];
    const target = slots[4];
    const p = expectOk(
      await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: item.id, startsAt: target.startsAt, endsAt: target.endsAt } }),
    );
    const x = await one('booking.rescheduled', (d) => d.bookingId === b.id);
    const d = expectSigned(x, 'booking.rescheduled');
    expectBookingEventData(d, b);
    expect(d.version).toBe(p.version);
    expect(d.itemId).toBe(item.id);
    expect(d.previousStartsAt).toBe(item.startsAt);
    expect(d.previousEndsAt).toBe(item.endsAt);
    expect(d.startsAt).toBe(target.startsAt);
    expect(d.endsAt).toBe(target.endsAt);
  });

  it('dispute.opened', async () => {
    const b = expectOk(await h.api('GET', '/v1/api/bookings?status=CONFIRMED&limit=1')).data[0];
    expect(b).toBeDefined();
    const res = await h.admin('POST', '/_sandbox/simulate/dispute', { bookingId: b.id, reason: 'Room was dirty' });
    expect(res.status, res.text).toBeLessThan(300);
    const x = await one('dispute.opened', (d) => d.bookingId === b.id);
    const d = expectSigned(x, 'dispute.opened');
    expect(d.disputeId).toBeTypeOf('string');
    expect(d.disputeId.length).toBeGreaterThan(0);
    expect(d.openedById).toBeTypeOf('string');
    expect(d.reason).toBe('Room was dirty');
    expect(d.openedAt).toMatch(ISO_MS);
    expect(Object.keys(d).slice(0, 4)).toEqual(['disputeId', 'bookingId', 'openedById', 'reason']);
  });

  it('review.created updates the offering aggregate', async () => {
    const o = await createOffering(h, { status: 'PUBLISHED' });
    expect(o.reviewCount).toBe(0);
    for (const rating of [5, 4]) {
      const res = await h.admin('POST', '/_sandbox/simulate/review', { offeringId: o.id, rating });
      expect(res.status, res.text).toBeLessThan(300);
    }
    const x = await waitFor(() => r.events('review.created').filter((y) => y.body.data.offeringId === o.id)[1], 'the second review.created webhook');
    const d = expectSigned(x, 'review.created');
    expect(d.reviewId).toBeTypeOf('string');
    expect(d.offeringId).toBe(o.id);
    expect(d.rating).toBe(4);
    expect(d.authorId).toBeTypeOf('string');
    expect(d.body).toBeTypeOf('string');
    expect(d.createdAt).toMatch(ISO_MS);
    expect(d.reviewCount).toBe(2);
    expect(d.ratingAverage).toBeCloseTo(4.5, 5);
    expect(Object.keys(d).slice(0, 4)).toEqual(['reviewId', 'offeringId', 'rating', 'authorId']);
    const after = expectOk(await h.api('GET', `/v1/api/offerings/${o.id}`));
    expect(after.reviewCount).toBe(2);
    expect(after.ratingAverage).toBeCloseTo(4.5, 5);
    expect(after.version).toBeGreaterThan(o.version);
  });

  it('tenant.kyb_verified updates /me', async () => {
    const res = await h.admin('POST', '/_sandbox/simulate/kyb', { tenant: 'atlas' });
    expect(res.status, res.text).toBeLessThan(300);
    const me = expectOk(await h.api('GET', '/v1/api/me'));
    const x = await one('tenant.kyb_verified', (d) => d.tenantId === me.tenant.id);
    const d = expectSigned(x, 'tenant.kyb_verified');
    expect(d.verifiedAt).toMatch(ISO_MS);
    expect(me.tenant.kybStatus).toBe('VERIFIED');
    expect(me.tenant.kybVerifiedAt).toBe(d.verifiedAt);
  });

  it('webhook.test', async () => {
    const before = r.events('webhook.test').length;
    const res = await h.admin('POST', '/_sandbox/webhook/test');
    expect(res.status, res.text).toBeLessThan(300);
    const x = await waitFor(() => r.events('webhook.test')[before], 'the webhook.test');
    const d = expectSigned(x, 'webhook.test');
    expect(d.message).toBeTypeOf('string');
    expect(d.sentAt).toMatch(ISO_MS);
  });

  it('gives every delivery its own id', () => {
    const ids = new Set(r.received.filter((x) => x.answeredStatus === 200).map(deliveryId));
    expect(ids.size).toBe(r.received.filter((x) => x.answeredStatus === 200).length);
  });
});

describe('retries', () => {
  it('500, 500, 200 → the same delivery id three times, then delivered', async () => {
    r.respond = (hook, attempt) => (hook.body?.event === 'webhook.test' && attempt <= 2 ? 500 : 200);
    try {
      const before = r.received.length;
      expect((await h.admin('POST', '/_sandbox/webhook/test')).status).toBeLessThan(300);
      const ok = await waitFor(() => r.received.slice(before).find((x) => x.answeredStatus === 200), 'the delivery answered 200', 10_000);
      const id = deliveryId(ok);
      const all = r.received.slice(before).filter((x) => deliveryId(x) === id);
      expect(all.map((x) => x.answeredStatus)).toEqual([500, 500, 200]);
      // Same bytes and a valid signature on every attempt.
      for (const x of all) {
        expect(x.raw.equals(all[0]!.raw)).toBe(true);
        expectSigned(x, 'webhook.test');
      }
      const d = await waitFor(async () => {
        const row = (await getDeliveries(h)).find((y) => (y.id ?? y.deliveryId) === id);
        return row && row.attempts === 3 ? row : null;
      }, 'the delivery with 3 attempts');
      expect(String(d.status)).not.toMatch(/fail/i);
    } finally {
      r.respond = () => 200;
    }
  });

  it('a receiver that always fails gets 6 attempts, then the delivery is failed', async () => {
    r.respond = (hook) => (hook.body?.event === 'webhook.test' ? 503 : 200);
    try {
      const before = r.received.length;
      expect((await h.admin('POST', '/_sandbox/webhook/test')).status).toBeLessThan(300);
      const first = await waitFor(() => r.received.slice(before).find((x) => x.body?.event === 'webhook.test'), 'the first attempt');
      const id = deliveryId(first);
      const row = await waitFor(
        async () => {
          const d = (await getDeliveries(h)).find((y) => (y.id ?? y.deliveryId) === id);
          return d && /fail/i.test(String(d.status)) ? d : null;
        },
        'delivery marked failed', 15_000, 50,
      );
      expect(row.attempts).toBe(6);
      const attempts = r.received.slice(before).filter((x) => deliveryId(x) === id);
      expect(attempts.length).toBe(6);
      // Exponential back-off: the gaps are at least base × 2^n (a lower bound only, never an upper one).
      for (let n = 0; n < 5; n++) {
        expect(attempts[n + 1]!.at - attempts[n]!.at, `gap after attempt ${n + 1}`).toBeGreaterThanOrEqual(20 * 2 ** n - 5);
      }
      const lastError = row.lastError ?? row.error;
      expect(lastError === null || lastError === undefined ? '' : String(lastError)).toMatch(/503|status|fail/i);
      // No seventh attempt arrives: the next delivery (to a healthy receiver) comes, not a retry.
      r.respond = () => 200;
      const n = r.received.length;
      expect((await h.admin('POST', '/_sandbox/webhook/test')).status).toBeLessThan(300);
      await waitFor(() => r.received.slice(n).some((x) => x.answeredStatus === 200), 'a delivery answered 200');
      expect(r.received.filter((x) => deliveryId(x) === id).length).toBe(6);
    } finally {
      r.respond = () => 200;
    }
  });

  it('PUT /_sandbox/webhook switches the subscription (url and secret)', async () => {
    const r2 = await startReceiver();
    try {
      const put = await h.admin('PUT', '/_sandbox/webhook', { tenant: 'atlas', url: r2.url, secret: 'second-secret-xyz', retryBaseMs: 20 });
      expect(put.status, put.text).toBeLessThan(300);
      expect((await h.admin('POST', '/_sandbox/webhook/test')).status).toBeLessThan(300);
      const x = await waitFor(() => r2.events('webhook.test')[0], 'the webhook.test at the new receiver');
      expect(x.headers['x-orkestr-signature']).toBe(hmacHex('second-secret-xyz', x.raw));
    } finally {
      await h.admin('PUT', '/_sandbox/webhook', { tenant: 'atlas', url: r.url, secret: SECRET, retryBaseMs: 20 });
      await r2.close();
    }
  });
});
