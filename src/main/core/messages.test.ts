/** The core sends its human text as a code + parameters next to the English; rows stored before that keep their text. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from './index.ts';
import type { RemoteBooking } from './sync/remote-types.ts';

const remote: RemoteBooking = {
  id: 'bkg_a',
  status: 'PENDING',
  offeringId: 'off_1',
  offeringTitle: 'Soho Loft',
  customer: { id: 'cus_1', name: 'Ana García', email: 'ana@example.com', timezone: 'Europe/Madrid' },
  items: [{ id: 'bkg_a_i1', offeringId: 'off_1', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z', quantity: 1, priceCents: 1000 }],
  payments: [],
  totalCents: 1000,
  currency: 'USD',
  createdAt: '2026-05-01T00:00:00.000Z',
  updatedAt: '2026-05-01T00:00:00.000Z',
  version: 2,
};

describe('core text as code + parameters', () => {
  let dir: string;
  let core: ConsoleCore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-msg-'));
    core = new ConsoleCore({ dbFile: join(dir, 'r.db'), transport: 'bridge', appVersion: 't', holdMs: 60_000 });
    core.replica.applyRemoteBooking(remote);
  });
  afterEach(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps activity stored before codes existed as text only, and new activity with its code', async () => {
    // A row as an older console wrote it: no message column value.
    core.replica.stmt("INSERT INTO activity (id, at, event, summary, booking_id, read) VALUES ('act_old', '2026-05-02T00:00:00.000Z', 'booking.confirmed', 'Booking confirmed: Ana García', 'bkg_a', 0)").run();
    core.replica.addActivity({ id: 'act_new', at: '2026-05-03T00:00:00.000Z', event: 'review.created', summary: 'New 5-star review', message: { code: 'activity.reviewCreated', params: { rating: 5 } } });
    const list = await core.handlers['activity.list']({ limit: 10 });
    expect(list.map((a) => [a.id, a.summary, a.summaryMessage])).toEqual([
      ['act_new', 'New 5-star review', { code: 'activity.reviewCreated', params: { rating: 5 } }],
      ['act_old', 'Booking confirmed: Ana García', null],
    ]);
  });

  it('gives the booking history and the intent summaries codes, the English text unchanged', async () => {
    await core.handlers['bookings.cancel']({ id: 'bkg_a', reason: 'customer_request' });
    const detail = await core.handlers['bookings.get']({ id: 'bkg_a' });
    const rows = detail!.history.map((h) => [h.kind, h.summary, h.summaryMessage]);
    expect(rows).toContainEqual(['sync', 'Server: PENDING (version 2)', { code: 'history.serverVersion', params: { status: 'PENDING', version: 2 } }]);
    expect(rows).toContainEqual(['intent', 'Cancel booking bkg_a (customer_request)', { code: 'intent.booking.cancelReason', params: { bookingId: 'bkg_a', reason: 'customer_request' } }]);
  });
});
