import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookingDetail } from './bookings/views.ts';
import { ConsoleCore } from './index.ts';
import type { RemoteBooking } from './sync/remote-types.ts';

function booking(id: string, status: string, version = 1, extra: Partial<RemoteBooking> = {}): RemoteBooking {
  return {
    id,
    status,
    offeringId: 'off_1',
    offeringTitle: 'Soho Loft',
    customer: { id: 'cus_1', name: 'Ana García', email: 'ana@example.com', timezone: 'Europe/Madrid' },
    items: [{ id: `${id}_i1`, offeringId: 'off_1', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z', quantity: 1, priceCents: 1000 }],
    payments: [{ id: `${id}_p1`, amountCents: 1000, currency: 'USD', status: 'AUTHORIZED', createdAt: '2026-05-01T00:00:00.000Z' }],
    totalCents: 1000,
    currency: 'USD',
    createdAt: `2026-05-01T00:00:0${id.length % 10}.000Z`,
    updatedAt: '2026-05-01T00:00:00.000Z',
    version,
    ...extra,
  };
}

describe('ConsoleCore offline (no server)', () => {
  let dir: string;
  let core: ConsoleCore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-'));
    core = new ConsoleCore({ dbFile: join(dir, 'r.db'), transport: 'bridge', appVersion: 't', holdMs: 0 });
    core.replica.transaction(() => {
      core.replica.applyRemoteBooking(booking('bkg_a', 'PENDING'));
      core.replica.applyRemoteBooking(booking('bkg_bb', 'PENDING'));
      core.replica.applyRemoteBooking(booking('bkg_ccc', 'CONFIRMED'));
    });
  });
  afterEach(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** The queue as the window shows it (every row: a test's few). */
  const queued = async () => (await core.handlers['queue.window']({ sort: 'waiting', risk: 'all', limit: 1000 })).items;

  it('lays an approve over the truth and takes it out of the queue; undo restores it', async () => {
    expect((await queued()).map((b) => b.id)).toEqual(['bkg_a', 'bkg_bb']);
    const { intentId } = await core.handlers['bookings.approve']({ id: 'bkg_a' });
    expect(intentId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await queued()).map((b) => b.id)).toEqual(['bkg_bb']);
    const detail = await core.handlers['bookings.get']({ id: 'bkg_a' });
    expect(detail).toMatchObject({ status: 'CONFIRMED', serverStatus: 'PENDING', syncState: 'pending' });
    const confirmed = await core.handlers['bookings.list']({ status: 'CONFIRMED', offset: 0, limit: 10 });
    expect(confirmed.total).toBe(2);
    expect(core.status().outboxLength).toBe(1);
    expect(await core.handlers['intents.undo']({ id: intentId! })).toEqual({ undone: true });
    expect((await queued()).map((b) => b.id)).toEqual(['bkg_a', 'bkg_bb']);
    expect(core.status().outboxLength).toBe(0);
  });

  it('counts pending bookings as the queue shows them (the dock badge), intents included', async () => {
    expect(core.pendingCount()).toBe(2);
    await core.handlers['bookings.approve']({ id: 'bkg_a' });
    expect(core.pendingCount()).toBe((await queued()).length);
    expect(core.pendingCount()).toBe(1);
  });

  it('approve of a confirmed booking converges locally (no intent)', async () => {
    expect(await core.handlers['bookings.approve']({ id: 'bkg_ccc' })).toEqual({ intentId: null });
  });

  it('ignores an older version of a booking', () => {
    core.replica.transaction(() => core.replica.applyRemoteBooking(booking('bkg_a', 'CONFIRMED', 3)));
    const r = core.replica.transaction(() => core.replica.applyRemoteBooking(booking('bkg_a', 'PENDING', 2)));
    expect(r.changed).toBe(false);
    expect(bookingDetail(core.replica, 'bkg_a')?.status).toBe('CONFIRMED');
  });

  it('searches, filters and pages bookings with a total', async () => {
    const page = await core.handlers['bookings.list']({ search: 'ana', offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(1);
    const none = await core.handlers['bookings.list']({ search: 'nobody', offset: 0, limit: 10 });
    expect(none.total).toBe(0);
    // % and _ are literal characters, not wildcards.
    expect((await core.handlers['bookings.list']({ search: '%', offset: 0, limit: 10 })).total).toBe(0);
    expect((await core.handlers['bookings.list']({ search: 'bkg_bb', offset: 0, limit: 10 })).total).toBe(1);
    expect((await core.handlers['bookings.list']({ search: 'ANA GARC', status: 'PENDING', offset: 0, limit: 10 })).total).toBe(2);
  });

  it('creates an offering offline under a temporary id and patches it before it lands', async () => {
    const created = await core.handlers['offerings.create']({ fields: { title: 'Loft', productTypeKey: 'space', basePriceCents: 100, currency: 'USD' } });
    expect(created.id).toMatch(/^tmp_off_/);
    await core.handlers['offerings.patch']({ id: created.id, fields: { title: 'Big Loft' } });
    const list = await core.handlers['offerings.list']({});
    expect(list).toEqual([expect.objectContaining({ id: created.id, title: 'Big Loft', syncState: 'pending' })]);
  });

  it('persists settings and never stores a plain key', async () => {
    await core.handlers['settings.set']({ undoSeconds: 7 });
    expect((await core.handlers['settings.get']({})).undoSeconds).toBe(7);
    expect(core.replica.getMeta('apiKeySealed')).toBeNull();
  });

  it('computes insights from the replica: 0.5·rating/5 + 0.3·responseRate + 0.2·confirmationRate, lever = largest weighted shortfall', async () => {
    core.replica.transaction(() => {
      core.replica.applyRemoteOffering({ id: 'off_1', title: 'A', ratingAverage: 4, reviewCount: 3, version: 1 });
      core.replica.applyRemoteOffering({ id: 'off_2', title: 'B', ratingAverage: 5, reviewCount: 1, version: 1 });
      core.replica.applyRemoteBooking(booking('bkg_dddd', 'CANCELLED', 1, { cancelledBy: 'provider' }));
      core.replica.applyRemoteBooking(booking('bkg_eeeee', 'CANCELLED', 1, { cancelledBy: 'customer' }));
    });
    // bookings: a, bb PENDING (created long ago: they count as unanswered), ccc CONFIRMED, dddd/eeeee CANCELLED
    const i = await core.handlers['insights.get']({});
    expect(i.rating).toMatchObject({ average: 4.25, reviews: 4 });
    expect(i.responseRate).toMatchObject({ answered: 3, total: 5, value: 0.6 });
    expect(i.confirmationRate).toMatchObject({ confirmed: 1, decided: 2, value: 0.5 });
    expect(i.score).toBeCloseTo(0.5 * (4.25 / 5) + 0.3 * 0.6 + 0.2 * 0.5, 4);
    // shortfalls: rating 0.5·0.15 = 0.075, response 0.3·0.4 = 0.12, confirmation 0.2·0.5 = 0.1
    expect(i.lever).toBe('responseRate');
  });
});
