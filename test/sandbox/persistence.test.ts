/**
 * Persistence: changes survive close + startSandbox on the same data file; keys created and
 * revoked through /_sandbox persist; a pending webhook delivery resumes after a restart with the
 * same delivery id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOffering,
  expectError,
  expectOk,
  getDeliveries,
  hmacHex,
  makeTempDir,
  simulateBooking,
  startHarness,
  startReceiver,
} from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json, Receiver } from './harness.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

let dir: string;
let r: Receiver;
const SECRET = 'whsec_persist_0123456789';
const open: Harness[] = [];

beforeAll(async () => {
  dir = await makeTempDir();
  r = await startReceiver();
});
afterAll(async () => {
  for (const x of open) await x.close();
  await r?.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(file: string, extra: Record<string, unknown> = {}): Promise<Harness> {
  const x = await startHarness({ dir, dataFile: join(dir, file), seed: 'none', ...extra });
  open.push(x);
  return x;
}

describe('restart on the same file', () => {
  it('keeps offerings, bookings, coupons, versions, keys and the change feed', async () => {
    const a = await start('keep.db');
    const o = await createOffering(a, { status: 'PUBLISHED', slug: 'persisted' });
    const p = expectOk(await a.api('PATCH', `/v1/api/offerings/${o.id}`, { body: { title: 'Persisted title' } }));
    const b = await simulateBooking(a, { offeringId: o.id, startsAt: new Date(Date.now() + 9 * 86_400_000).toISOString() });
    const approved = expectOk(await a.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    const c = expectOk(await a.api('POST', '/v1/api/coupons', { body: { code: 'KEEPME', kind: 'PERCENT', amount: 10 } }), 201);
    const del = expectOk(await a.api('DELETE', `/v1/api/coupons/${c.id}`));
    const k = expectOk(await a.admin('POST', '/_sandbox/keys', { tenant: 'atlas', scopes: ['read'] }), 201);
    const k2 = expectOk(await a.admin('POST', '/_sandbox/keys', { tenant: 'atlas' }), 201);
    expect((await a.admin('POST', `/_sandbox/keys/${k2.keyId}/revoke`)).status).toBeLessThan(300);
    const feed = expectOk(await a.api('GET', '/v1/api/bookings?limit=500'));
    const idemKey = 'persisted-idem-key-1';
    const idem = await a.api('POST', '/v1/api/coupons', { body: { code: 'IDEMKEEP', kind: 'PERCENT', amount: 3 }, idempotencyKey: idemKey });
    expectOk(idem, 201);
    await a.close();

    const a2 = await start('keep.db');
    expect(expectOk(await a2.api('GET', `/v1/api/offerings/${o.id}`))).toEqual(p);
    expect(expectOk(await a2.api('GET', '/v1/api/offerings/persisted')).id).toBe(o.id);
    expect(expectOk(await a2.api('GET', `/v1/api/bookings/${b.id}`))).toEqual(approved);
    const coupons = expectOk(await a2.api('GET', '/v1/api/coupons?includeDeleted=true&limit=500'));
    expect((coupons.data as Json[]).find((x) => x.id === c.id)).toEqual(del);
    // Keys made through /_sandbox survive, and so does a revocation.
    expect(expectOk(await a2.api('GET', '/v1/api/me', { key: k.token })).scopes).toEqual(['read']);
    expectError(await a2.api('GET', '/v1/api/me', { key: k2.token }), 401, 'UNAUTHORIZED');
    // The change cursor still works across the restart.
    const since = expectOk(await a2.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(feed.nextCursor)}`));
    expect(since.data).toEqual([]);
    expectOk(await a2.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { notes: 'after restart' } }));
    const since2 = expectOk(await a2.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(feed.nextCursor)}`));
    expect((since2.data as Json[]).map((x) => x.id)).toEqual([b.id]);
    expect(since2.data[0].version).toBe(approved.version + 1);
    // Idempotency records survive too.
    const replay = await a2.api('POST', '/v1/api/coupons', { body: { code: 'IDEMKEEP', kind: 'PERCENT', amount: 3 }, idempotencyKey: idemKey });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(idem.body);
    await a2.close();
  });

  it('does not reseed or duplicate on restart with seed demo', async () => {
    const a = await start('demo.db', { seed: 'demo' });
    const before = expectOk(await a.admin('GET', '/_sandbox/state'));
    const offs = expectOk(await a.api('GET', '/v1/api/offerings?status=ALL&includeDeleted=true&limit=500')).data.length;
    await a.close();
    const a2 = await start('demo.db', { seed: 'demo' });
    const after = expectOk(await a2.admin('GET', '/_sandbox/state'));
    expect(expectOk(await a2.api('GET', '/v1/api/offerings?status=ALL&includeDeleted=true&limit=500')).data.length).toBe(offs);
    const { now: _n1, ...restAfter } = after;
    const { now: _n2, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    await a2.close();
  });
});

describe('webhook deliveries across a restart', () => {
  it('a pending delivery resumes after restart with the same delivery id and the stored subscription', async () => {
    // The receiver refuses everything until we flip it; retries are spaced so the delivery is
    // still pending when the sandbox closes.
    let accept = false;
    r.respond = () => (accept ? 200 : 500);
    const a = await start('hooks.db', { webhook: { url: r.url, secret: SECRET, retryBaseMs: 400 } });
    expect((await a.admin('POST', '/_sandbox/webhook/test')).status).toBeLessThan(300);
    const first = await waitFor(() => r.events('webhook.test')[0], 'first attempt');
    const id = String(first.headers['x-orkestr-delivery-id']);
    const pending = (await getDeliveries(a)).find((d) => (d.id ?? d.deliveryId) === id);
    expect(pending).toBeDefined();
    expect(String(pending.status)).not.toMatch(/fail|deliver|success|done/i);
    await a.close();
    const attemptsBefore = r.received.filter((x) => String(x.headers['x-orkestr-delivery-id']) === id).length;
    expect(attemptsBefore).toBeLessThan(6);

    accept = true;
    // Restart without the webhook option: the subscription and the pending delivery come from the
    // data file, so this is the restart path itself (not a re-subscription) resuming the delivery.
    const a2 = await start('hooks.db');
    const ok = await waitFor(
      () => r.received.find((x) => String(x.headers['x-orkestr-delivery-id']) === id && x.answeredStatus === 200),
      'resumed delivery', 15_000, 50,
    );
    expect(ok.raw.equals(first.raw)).toBe(true);
    expect(ok.headers['x-orkestr-signature']).toBe(hmacHex(SECRET, ok.raw));
    const row = await waitFor(async () => {
      const d = (await getDeliveries(a2)).find((y) => (y.id ?? y.deliveryId) === id);
      return d && !/pending|retry/i.test(String(d.status)) ? d : null;
    }, 'the delivery settled');
    expect(String(row.status)).not.toMatch(/fail/i);
    await a2.close();
    r.respond = () => 200;
  });
});
