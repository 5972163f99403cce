/**
 * Bookings: list with ?status, get, the state machine (approve / cancel / COMPLETED), the
 * cancellation-policy refund table at its boundaries (sandbox clock set deterministically), notes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOffering,
  errorFields,
  expectBooking,
  expectError,
  expectListShape,
  expectOk,
  HOUR,
  iso,
  setClock,
  simulateBooking,
  startHarness,
  startReceiver,
  webhookFence,
} from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json, Receiver } from './harness.ts';

let h: Harness;
let r: Receiver;
const SECRET = 'whsec_bookings_test_secret';
/** A Monday, well in the future of any real date the suite runs on. */
const T0 = Date.parse('2030-03-04T15:00:00.000Z');
const offerings: Record<string, Json> = {};

beforeAll(async () => {
  r = await startReceiver();
  h = await startHarness({ seed: 'none', webhook: { url: r.url, secret: SECRET, retryBaseMs: 20 } });
  await setClock(h, iso(T0));
  for (const policy of ['FLEXIBLE', 'MODERATE', 'STRICT']) {
    offerings[policy] = await createOffering(h, {
      title: `Policy ${policy}`,
      status: 'PUBLISHED',
      cancellationPolicy: policy,
      basePriceCents: 10000,
    });
  }
});
afterAll(async () => {
  await h?.dispose();
  await r?.close();
});

async function pending(policy = 'MODERATE', startsInHours = 24 * 10): Promise<Json> {
  const b = await simulateBooking(h, { offeringId: offerings[policy].id, startsAt: iso(T0 + startsInHours * HOUR) });
  expect(b.status).toBe('PENDING');
  return b;
}

const get = async (id: string): Promise<Json> => expectOk(await h.api('GET', `/v1/api/bookings/${id}`));

/** A CONFIRMED booking that ended before T0, completed by the sandbox's clock. */
async function completed(policy = 'MODERATE'): Promise<Json> {
  const b = await simulateBooking(h, { offeringId: offerings[policy].id, startsAt: iso(T0 - 72 * HOUR), status: 'CONFIRMED' });
  return waitFor(
    async () => {
      const x = await get(b.id);
      return x.status === 'COMPLETED' ? x : null;
    },
    'past CONFIRMED booking becomes COMPLETED', 15_000, 100,
  );
}

describe('GET /v1/api/bookings and /:id', () => {
  it('answers full records, filterable by status', async () => {
    const p = await pending();
    const c = await pending();
    expectOk(await h.api('POST', `/v1/api/bookings/${c.id}/approve`, { body: {} }));
    const all = expectOk(await h.api('GET', '/v1/api/bookings?limit=500'));
    expectListShape(all);
    for (const b of all.data as Json[]) expectBooking(b);
    const ids = (all.data as Json[]).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining([p.id, c.id]));

    const onlyPending = expectOk(await h.api('GET', '/v1/api/bookings?status=PENDING&limit=500'));
    expect((onlyPending.data as Json[]).every((b) => b.status === 'PENDING')).toBe(true);
    expect((onlyPending.data as Json[]).map((b) => b.id)).toContain(p.id);
    expect((onlyPending.data as Json[]).map((b) => b.id)).not.toContain(c.id);
    const onlyConfirmed = expectOk(await h.api('GET', '/v1/api/bookings?status=CONFIRMED&limit=500'));
    expect((onlyConfirmed.data as Json[]).map((b) => b.id)).toContain(c.id);
    expect((onlyConfirmed.data as Json[]).every((b) => b.status === 'CONFIRMED')).toBe(true);
    expectError(await h.api('GET', '/v1/api/bookings?status=LOST'), 400, 'BAD_REQUEST');

    const one = await get(p.id);
    expectBooking(one);
    expect(one.offeringId).toBe(offerings.MODERATE.id);
    expect(one.offeringTitle).toBe(offerings.MODERATE.title);
    expect(one.items[0].startsAt).toBe(iso(T0 + 240 * HOUR));
    expect((all.data as Json[]).find((b) => b.id === p.id)).toEqual(one);
    // Money adds up.
    expect(one.totalCents).toBe(one.subtotalCents - one.discountCents + one.taxCents);
    expect(one.items.reduce((s: number, it: Json) => s + it.priceCents * it.quantity, 0)).toBe(one.subtotalCents);
  });
});

describe('approve', () => {
  it('moves PENDING to CONFIRMED once, converges on repeat, fires booking.confirmed once', async () => {
    const b = await pending();
    const a = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    expectBooking(a);
    expect(a.status).toBe('CONFIRMED');
    expect(a.version).toBe(b.version + 1);
    expect(a.payments.length).toBeGreaterThan(0);
    expect(new Set((a.payments as Json[]).map((p) => p.status))).toEqual(new Set(['CAPTURED']));
    // Approving clears a risk hold; any other review status stays as it was.
    expect(a.riskReviewStatus).toBe(b.riskReviewStatus === 'HELD' ? 'CLEARED' : b.riskReviewStatus);

    const again = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    expect(again.status).toBe('CONFIRMED');
    expect(again.version).toBe(a.version);
    expect(again.updatedAt).toBe(a.updatedAt);

    await webhookFence(h, r);
    const hooks = r.events('booking.confirmed').filter((x) => x.body.data.bookingId === b.id);
    expect(hooks.length).toBe(1);
    expect(hooks[0]!.body.data.version).toBe(a.version);
  });

  it('converges under concurrent approves: all 200, one change, one webhook', async () => {
    const b = await pending();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} })),
    );
    for (const a of answers) {
      expectOk(a);
      expect(a.body.status).toBe('CONFIRMED');
    }
    expect((await get(b.id)).version).toBe(b.version + 1);
    await webhookFence(h, r);
    expect(r.events('booking.confirmed').filter((x) => x.body.data.bookingId === b.id).length).toBe(1);
  });

  it('answers 409 BOOKING_NOT_PENDING with details.current for CANCELLED and COMPLETED', async () => {
    const b = await pending();
    expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} }));
    const res = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} });
    const err = expectError(res, 409, 'BOOKING_NOT_PENDING');
    expect(err.details.current.id).toBe(b.id);
    expect(err.details.current.status).toBe('CANCELLED');
    expectBooking(err.details.current);

    const done = await completed();
    const err2 = expectError(await h.api('POST', `/v1/api/bookings/${done.id}/approve`, { body: {} }), 409, 'BOOKING_NOT_PENDING');
    expect(err2.details.current.status).toBe('COMPLETED');
    expect((await get(done.id)).status).toBe('COMPLETED');
  });
});

describe('cancel', () => {
  const table: Array<[string, number, number]> = [
    ['FLEXIBLE', 200, 100],
    ['FLEXIBLE', 120, 100],
    ['FLEXIBLE', 119, 100],
    ['FLEXIBLE', 24, 100],
    ['FLEXIBLE', 23, 50],
    ['FLEXIBLE', 1, 50],
    ['FLEXIBLE', -1, 0],
    ['MODERATE', 200, 100],
    ['MODERATE', 120, 100],
    ['MODERATE', 119, 50],
    ['MODERATE', 24, 50],
    ['MODERATE', 23, 0],
    ['MODERATE', -1, 0],
    ['STRICT', 200, 50],
    ['STRICT', 120, 50],
    ['STRICT', 119, 0],
    ['STRICT', 24, 0],
    ['STRICT', 1, 0],
    ['STRICT', -1, 0],
  ];
  for (const [policy, hours, expected] of table) {
    it(`${policy}, ${hours} h before the start → refundPercent ${expected}`, async () => {
      const b = await pending(policy, hours);
      const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'Plans changed' } }));
      expectBooking(c);
      expect(c.status).toBe('CANCELLED');
      expect(c.refundPercent).toBe(expected);
      expect(c.cancelledBy).toBe('provider');
      expect(c.cancelReason).toBe('Plans changed');
      expect(c.version).toBe(b.version + 1);
      const statuses = (c.payments as Json[]).map((p) => p.status);
      expect(statuses.length).toBeGreaterThan(0);
      // Full refund → every payment REFUNDED; partial → PARTIALLY_REFUNDED; none → none refunded.
      const refunded = statuses.filter((s) => s === 'REFUNDED' || s === 'PARTIALLY_REFUNDED');
      expect(refunded).toEqual(expected === 100 ? statuses.map(() => 'REFUNDED') : expected > 0 ? statuses.map(() => 'PARTIALLY_REFUNDED') : []);
      expect(await get(b.id)).toEqual(c);
    });
  }

  it('uses the sandbox clock: the same booking gets a different refund at another time', async () => {
    const b = await pending('MODERATE', 30);
    await setClock(h, iso(T0 + 10 * HOUR)); // now only 20 h before the start
    try {
      const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} }));
      expect(c.refundPercent).toBe(0);
    } finally {
      await setClock(h, iso(T0));
    }
  });

  it('cancels a CONFIRMED booking and fires booking.cancelled with the refund', async () => {
    const b = await pending('FLEXIBLE', 48);
    expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'Storm' } }));
    expect(c.status).toBe('CANCELLED');
    expect(c.refundPercent).toBe(100);
    expect(c.payments.length).toBeGreaterThan(0);
    expect((c.payments as Json[]).every((p) => p.status === 'REFUNDED')).toBe(true);
    const hook = await waitFor(() => r.events('booking.cancelled').find((x) => x.body.data.bookingId === b.id), 'the booking.cancelled webhook');
    expect(hook.body.data.refundPercent).toBe(100);
    expect(hook.body.data.reason).toBe('Storm');
    expect(hook.body.data.cancelledBy).toBe('provider');
    expect(hook.body.data.status).toBe('CANCELLED');
  });

  it('answers 409 BOOKING_NOT_ACTIVE when cancelling twice or a COMPLETED booking', async () => {
    const b = await pending();
    const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} }));
    const err = expectError(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} }), 409, 'BOOKING_NOT_ACTIVE');
    expect(err.details.current.id).toBe(b.id);
    expect(err.details.current.status).toBe('CANCELLED');
    expect((await get(b.id)).version).toBe(c.version);

    const done = await completed('FLEXIBLE');
    const err2 = expectError(await h.api('POST', `/v1/api/bookings/${done.id}/cancel`, { body: {} }), 409, 'BOOKING_NOT_ACTIVE');
    expect(err2.details.current.status).toBe('COMPLETED');
    expect((await get(done.id)).status).toBe('COMPLETED');
  });

  it('validates the reason (≤ 500 characters)', async () => {
    const b = await pending();
    const res = await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'r'.repeat(501) } });
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(errorFields(res)).toContain('reason');
    expect((await get(b.id)).status).toBe('PENDING');
    const ok = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'r'.repeat(500) } }));
    expect(ok.cancelReason).toBe('r'.repeat(500));
  });

  it('rejects a reason that is not a string', async () => {
    const b = await pending();
    const res = await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 42 } });
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(errorFields(res)).toContain('reason');
    expect((await get(b.id)).status).toBe('PENDING');
  });

  it('accepts a cancel without a body', async () => {
    const b = await pending();
    const c = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`));
    expect(c.status).toBe('CANCELLED');
    expect(c.cancelReason).toBeNull();
  });
});

describe('PATCH notes', () => {
  it('changes notes, bumps the version, fires nothing', async () => {
    const b = await pending();
    const before = r.received.length;
    const p = expectOk(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { notes: 'Guest brings a dog' } }));
    expect(p.notes).toBe('Guest brings a dog');
    expect(p.version).toBe(b.version + 1);
    expect(p.status).toBe('PENDING');
    expect(p.items).toEqual(b.items);
    await webhookFence(h, r);
    const after = r.received.slice(before).filter((x) => x.body?.data?.bookingId === b.id);
    expect(after).toEqual([]);
  });
});

describe('background completion', () => {
  it('moves a CONFIRMED booking whose last item has ended to COMPLETED', async () => {
    const b = await pending('MODERATE', 2);
    expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    const stillPending = await pending('MODERATE', 3);
    const lastEnd = Math.max(...(b.items as Json[]).map((it) => Date.parse(it.endsAt)));
    await setClock(h, iso(lastEnd + 3 * HOUR));
    try {
      const done = await waitFor(
        async () => {
          const x = await get(b.id);
          return x.status === 'COMPLETED' ? x : null;
        },
        'booking COMPLETED', 15_000, 100,
      );
      expectBooking(done);
      expect(done.version).toBe(b.version + 2);
      // A PENDING booking is not completed by the clock.
      expect((await get(stillPending.id)).status).toBe('PENDING');
    } finally {
      await setClock(h, iso(T0));
    }
  });
});

describe('the sandbox clock', () => {
  it('stamps records with the set time, and DELETE returns to real time', async () => {
    await setClock(h, iso(T0));
    const a = expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'CLOCKED', kind: 'PERCENT', amount: 5 } }), 201);
    expect(Date.parse(a.createdAt)).toBeGreaterThanOrEqual(T0);
    expect(Date.parse(a.createdAt)).toBeLessThan(T0 + 60_000);
    expect((await h.admin('DELETE', '/_sandbox/clock')).status).toBeLessThan(300);
    try {
      const b = expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'REALTIME', kind: 'PERCENT', amount: 5 } }), 201);
      expect(Math.abs(Date.parse(b.createdAt) - Date.now())).toBeLessThan(60_000);
    } finally {
      await setClock(h, iso(T0));
    }
  });
});
