/**
 * SEQUENCE rises after a reschedule (and again after a cancel) done through the Orkestr sandbox;
 * the UID stays. The booking record goes sandbox → replica (the replica's own apply path) → adapter
 * → export, and is parsed by both parsers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { exportIcs } from '../../src/main/core/calendar/ics.ts';
import { readCalendarBookings } from '../../src/main/core/calendar/source.ts';
import { addDays, expectOk, HOUR, localDate, simulateBooking, startHarness, type Harness, type Json } from '../sandbox/harness.ts';
import { parseBoth, type ParsedEvent } from './helpers.ts';

let h: Harness;
let dir: string;
let replica: Replica;

beforeAll(async () => {
  h = await startHarness({ seed: 'demo' });
  dir = mkdtempSync(join(tmpdir(), 'cal-sbx-'));
  replica = Replica.open(join(dir, 'replica.db'));
});

afterAll(async () => {
  replica?.close();
  await h?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function exportEvent(record: Json): { text: string; event: ParsedEvent } {
  replica.transaction(() => replica.applyRemoteBooking(record));
  const text = exportIcs(readCalendarBookings(replica), { calendarName: 'Atlas', subdomain: 'atlas' });
  const cal = parseBoth(text);
  const uid = `${record.items[0].id}@orkestr-console`;
  const event = cal.events.find((e) => e.uid === uid);
  expect(event, `event ${uid} in the export`).toBeDefined();
  return { text, event: event as ParsedEvent };
}

describe('SEQUENCE through the sandbox', () => {
  it('rises after a reschedule and after a cancel, never goes down, keeps the UID', async () => {
    const tz = expectOk(await h.api('GET', '/v1/api/me')).tenant.timezone as string;
    const pending = await simulateBooking(h, {});
    const confirmed = expectOk(await h.api('POST', `/v1/api/bookings/${pending.id}/approve`));
    expect(confirmed.status).toBe('CONFIRMED');
    const item = confirmed.items[0];
    const before = exportEvent(confirmed);
    expect(before.event.status).toBe('CONFIRMED');
    expect(before.event.sequence).toBe(confirmed.version);

    // A free slot of the same offering, at another time.
    const from = localDate(Date.now() + 24 * HOUR, tz);
    const avail = expectOk(await h.api('GET', `/v1/api/availability?offeringId=${confirmed.offeringId}&from=${from}&to=${addDays(from, 28)}`));
    const slot = (avail.slots as Json[]).find((s) => s.available > 0 && s.startsAt !== item.startsAt);
    expect(slot, 'a free slot to move to').toBeDefined();
    const moved = expectOk(
      await h.api('PATCH', `/v1/api/bookings/${confirmed.id}`, { body: { itemId: item.id, startsAt: slot.startsAt, endsAt: slot.endsAt } }),
    );
    expect(moved.version).toBeGreaterThan(confirmed.version);
    const after = exportEvent(moved);
    expect(after.event.uid).toBe(before.event.uid);
    expect(after.event.sequence).toBeGreaterThan(before.event.sequence);
    expect(after.event.start).toBe(Date.parse(slot.startsAt));
    expect(after.event.dtstamp).toBe(Math.floor(Date.parse(moved.updatedAt) / 1000) * 1000); // iCalendar has whole seconds

    const cancelled = expectOk(await h.api('POST', `/v1/api/bookings/${confirmed.id}/cancel`, { body: { reason: 'test' } }));
    const gone = exportEvent(cancelled);
    expect(gone.event.status).toBe('CANCELLED');
    expect(gone.event.uid).toBe(before.event.uid);
    expect(gone.event.sequence).toBeGreaterThan(after.event.sequence);

    // A late, older copy of the record (e.g. a delayed webhook) does not take SEQUENCE back.
    const late = exportEvent(moved);
    expect(late.event.sequence).toBe(gone.event.sequence);
    expect(late.event.status).toBe('CANCELLED');
  });
});
