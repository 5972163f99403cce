/**
 * Idempotency-Key: replays answer the stored status and body with Idempotent-Replayed: true and
 * have no second effect (one entry in /_sandbox/effects, one webhook); a different body under the
 * same key is 422 IDEMPOTENCY_KEY_REUSED; a 5xx (injected fault) is not stored.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOffering,
  expectError,
  expectOk,
  getEffects,
  KEYS,
  simulateBooking,
  startHarness,
  startReceiver,
  webhookFence,
} from './harness.ts';
import type { Harness, Json, Receiver } from './harness.ts';

let h: Harness;
let r: Receiver;
let offering: Json;

beforeAll(async () => {
  r = await startReceiver();
  h = await startHarness({ seed: 'none', webhook: { url: r.url, secret: 'whsec_idem', retryBaseMs: 20 } });
  offering = await createOffering(h, { status: 'PUBLISHED' });
});
afterAll(async () => {
  await h?.dispose();
  await r?.close();
});

async function pendingBooking(): Promise<Json> {
  return simulateBooking(h, { offeringId: offering.id, startsAt: new Date(Date.now() + 20 * 86_400_000).toISOString() });
}

const effectsFor = async (key: string): Promise<Json[]> => (await getEffects(h)).filter((e) => e.idempotencyKey === key);

describe('replays', () => {
  it('approve: same key + same body → same answer, replay header, one effect, one webhook', async () => {
    const b = await pendingBooking();
    const key = randomUUID();
    const first = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {}, idempotencyKey: key });
    expectOk(first);
    expect(first.headers.get('idempotent-replayed')).not.toBe('true');
    const second = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {}, idempotencyKey: key });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const eff = await effectsFor(key);
    expect(eff.length).toBe(1);
    expect(eff[0].targetId).toBe(b.id);
    expect(eff[0].kind).toBeTypeOf('string');
    expect(eff[0].at).toBeTypeOf('string');

    await webhookFence(h, r);
    expect(r.events('booking.confirmed').filter((x) => x.body.data.bookingId === b.id).length).toBe(1);
  });

  it('cancel: a replay does not cancel twice or answer 409', async () => {
    const b = await pendingBooking();
    const key = randomUUID();
    const first = expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'x' }, idempotencyKey: key }));
    const again = await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'x' }, idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Without the key the second cancel is a conflict: the replay really came from the store.
    expectError(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'x' } }), 409, 'BOOKING_NOT_ACTIVE');
    await webhookFence(h, r);
    expect(r.events('booking.cancelled').filter((x) => x.body.data.bookingId === b.id).length).toBe(1);
    expect((await effectsFor(key)).length).toBe(1);
  });

  it('create: one coupon for two identical POSTs', async () => {
    const key = randomUUID();
    const body = { code: 'IDEMPOTENT', kind: 'PERCENT', amount: 10 };
    const a = await h.api('POST', '/v1/api/coupons', { body, idempotencyKey: key });
    expectOk(a, 201);
    const b = await h.api('POST', '/v1/api/coupons', { body, idempotencyKey: key });
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const list = expectOk(await h.api('GET', '/v1/api/coupons?limit=500'));
    expect((list.data as Json[]).filter((c) => c.code === 'IDEMPOTENT').length).toBe(1);
    expect((await effectsFor(key)).length).toBe(1);
  });

  it('delete and patch: a replay answers the first result instead of 404 / a second change', async () => {
    const o = await createOffering(h, { status: 'PUBLISHED' });
    const key = randomUUID();
    const first = expectOk(await h.api('DELETE', `/v1/api/offerings/${o.id}`, { idempotencyKey: key }));
    const again = await h.api('DELETE', `/v1/api/offerings/${o.id}`, { idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expectError(await h.api('DELETE', `/v1/api/offerings/${o.id}`), 404, 'NOT_FOUND');

    const o2 = await createOffering(h);
    const pkey = randomUUID();
    const p1 = expectOk(await h.api('PATCH', `/v1/api/offerings/${o2.id}`, { body: { title: 'Once' }, idempotencyKey: pkey }));
    const p2 = await h.api('PATCH', `/v1/api/offerings/${o2.id}`, { body: { title: 'Once' }, idempotencyKey: pkey });
    expect(p2.body).toEqual(p1);
    expect(p2.headers.get('idempotent-replayed')).toBe('true');
    expect(expectOk(await h.api('GET', `/v1/api/offerings/${o2.id}`)).version).toBe(o2.version + 1);
    expect((await effectsFor(pkey)).length).toBe(1);
  });

  it('concurrent requests with the same key have one effect', async () => {
    const key = randomUUID();
    const body = { code: 'CONCURRENT', kind: 'PERCENT', amount: 10 };
    const answers = await Promise.all(Array.from({ length: 4 }, () => h.api('POST', '/v1/api/coupons', { body, idempotencyKey: key })));
    for (const a of answers) {
      expect(a.status).toBe(201);
      expect(a.body).toEqual(answers[0]!.body);
    }
    const list = expectOk(await h.api('GET', '/v1/api/coupons?limit=500'));
    expect((list.data as Json[]).filter((c) => c.code === 'CONCURRENT').length).toBe(1);
    expect((await effectsFor(key)).length).toBe(1);
  });

  it('stores 4xx answers too', async () => {
    const key = randomUUID();
    const body = { code: 'no', kind: 'PERCENT', amount: 10 };
    const a = await h.api('POST', '/v1/api/coupons', { body, idempotencyKey: key });
    expectError(a, 422, 'VALIDATION_FAILED');
    const b = await h.api('POST', '/v1/api/coupons', { body, idempotencyKey: key });
    expect(b.status).toBe(422);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps keys per tenant: the same key under another tenant is a fresh request', async () => {
    const key = randomUUID();
    expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'PERTENANT', kind: 'PERCENT', amount: 5 }, idempotencyKey: key }), 201);
    const other = await h.api('POST', '/v1/api/coupons', {
      key: KEYS.harborRw,
      body: { code: 'PERTENANT', kind: 'PERCENT', amount: 5 },
      idempotencyKey: key,
    });
    expectOk(other, 201);
    expect(other.headers.get('idempotent-replayed')).not.toBe('true');
  });
});

describe('reuse with a different request', () => {
  it('answers 422 IDEMPOTENCY_KEY_REUSED for a different body and changes nothing', async () => {
    const key = randomUUID();
    const a = expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'REUSE_A', kind: 'PERCENT', amount: 10 }, idempotencyKey: key }), 201);
    const res = await h.api('POST', '/v1/api/coupons', { body: { code: 'REUSE_B', kind: 'PERCENT', amount: 10 }, idempotencyKey: key });
    expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
    const list = expectOk(await h.api('GET', '/v1/api/coupons?limit=500'));
    const codes = (list.data as Json[]).map((c) => c.code);
    expect(codes).toContain(a.code);
    expect(codes).not.toContain('REUSE_B');
  });

  it('fingerprints the raw bytes: the same JSON with other whitespace is a different request', async () => {
    const key = randomUUID();
    expectOk(await h.api('POST', '/v1/api/coupons', { body: '{"code":"RAWBYTES","kind":"PERCENT","amount":10}', idempotencyKey: key }), 201);
    const res = await h.api('POST', '/v1/api/coupons', { body: '{ "code": "RAWBYTES", "kind": "PERCENT", "amount": 10 }', idempotencyKey: key });
    expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('fingerprints the method: PATCH then DELETE of the same path under one key is 422', async () => {
    const c = expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'METHODFP', kind: 'PERCENT', amount: 10 } }), 201);
    const key = randomUUID();
    expectOk(await h.api('PATCH', `/v1/api/coupons/${c.id}`, { body: { amount: 12 }, idempotencyKey: key }));
    expectError(await h.api('DELETE', `/v1/api/coupons/${c.id}`, { idempotencyKey: key }), 422, 'IDEMPOTENCY_KEY_REUSED');
    const got = expectOk(await h.api('GET', `/v1/api/coupons/${c.id}`));
    expect(got.deletedAt).toBeNull();
    expect(got.amount).toBe(12);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for a different path', async () => {
    const b1 = await pendingBooking();
    const b2 = await pendingBooking();
    const key = randomUUID();
    expectOk(await h.api('POST', `/v1/api/bookings/${b1.id}/approve`, { body: {}, idempotencyKey: key }));
    expectError(await h.api('POST', `/v1/api/bookings/${b2.id}/approve`, { body: {}, idempotencyKey: key }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(expectOk(await h.api('GET', `/v1/api/bookings/${b2.id}`)).status).toBe('PENDING');
  });
});

describe('retention', () => {
  it('forgets a key after 24 h (sandbox clock)', async () => {
    const key = randomUUID();
    const t = Date.now();
    const setClock = async (ms: number): Promise<void> => {
      expect((await h.admin('POST', '/_sandbox/clock', { now: new Date(ms).toISOString() })).status).toBeLessThan(300);
    };
    await setClock(t);
    try {
      expectOk(await h.api('POST', '/v1/api/coupons', { body: { code: 'KEEP24A', kind: 'PERCENT', amount: 5 }, idempotencyKey: key }), 201);
      await setClock(t + 23 * 3_600_000);
      expectError(
        await h.api('POST', '/v1/api/coupons', { body: { code: 'KEEP24B', kind: 'PERCENT', amount: 5 }, idempotencyKey: key }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      await setClock(t + 25 * 3_600_000);
      const fresh = await h.api('POST', '/v1/api/coupons', { body: { code: 'KEEP24B', kind: 'PERCENT', amount: 5 }, idempotencyKey: key });
      expectOk(fresh, 201);
      expect(fresh.headers.get('idempotent-replayed')).not.toBe('true');
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/clock')).status).toBeLessThan(300);
    }
  });
});

describe('5xx answers are not stored', () => {
  it('a 503 from fault injection is retried for real with the same key, exactly once', async () => {
    const b = await pendingBooking();
    const key = randomUUID();
    expect((await h.admin('PUT', '/_sandbox/faults', { errorRate: 1 })).status).toBeLessThan(300);
    try {
      const fail = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {}, idempotencyKey: key });
      expectError(fail, 503, 'INTERNAL');
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
    expect(expectOk(await h.api('GET', `/v1/api/bookings/${b.id}`)).status).toBe('PENDING');
    expect((await effectsFor(key)).length).toBe(0);

    const ok = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {}, idempotencyKey: key });
    expectOk(ok);
    expect(ok.body.status).toBe('CONFIRMED');
    expect(ok.headers.get('idempotent-replayed')).not.toBe('true');
    const replay = await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {}, idempotencyKey: key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(ok.body);
    expect((await effectsFor(key)).length).toBe(1);
    await webhookFence(h, r);
    expect(r.events('booking.confirmed').filter((x) => x.body.data.bookingId === b.id).length).toBe(1);
  });
});

describe('validation of the key', () => {
  it('rejects an empty or over-long key', async () => {
    const long = 'k'.repeat(256);
    const res = await h.api('POST', '/v1/api/coupons', { body: { code: 'LONGKEY', kind: 'PERCENT', amount: 1 }, idempotencyKey: long });
    expect([400, 422]).toContain(res.status);
    expectError(res, res.status);
    const ok = await h.api('POST', '/v1/api/coupons', {
      body: { code: 'MAXKEY', kind: 'PERCENT', amount: 1 },
      idempotencyKey: 'k'.repeat(255),
    });
    expectOk(ok, 201);
  });
});
