/**
 * Availability (with and without offeringId, slot expansion checked against an independent
 * expansion of the rules) and rescheduling through PATCH /bookings/:id (free slot, full slot,
 * outside the rules' hours, a BLOCKed day, validation, booking.rescheduled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  errorFields,
  expectBooking,
  expectError,
  expectOk,
  HOUR,
  iso,
  ISO_MS,
  localDate,
  minutes,
  simulateBooking,
  startHarness,
  startReceiver,
  webhookFence,
  weekday,
  zonedToUtc,
} from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json, Receiver } from './harness.ts';

let h: Harness;
let r: Receiver;
let tz: string;
let offering: Json;
let from: string;
let to: string;

beforeAll(async () => {
  r = await startReceiver();
  h = await startHarness({ seed: 'demo', webhook: { url: r.url, secret: 'whsec_avail', retryBaseMs: 20 } });
  tz = expectOk(await h.api('GET', '/v1/api/me')).tenant.timezone;
  const all = expectOk(await h.api('GET', '/v1/api/availability'));
  const live = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&limit=500')).data as Json[];
  const liveIds = new Set(live.map((o) => o.id));
  // The live offering with the most rules.
  const counts = new Map<string, number>();
  for (const rule of all.rules as Json[]) {
    if (liveIds.has(rule.offeringId)) counts.set(rule.offeringId, (counts.get(rule.offeringId) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  expect(best, 'the demo seed has an offering with availability rules').toBeDefined();
  offering = live.find((o) => o.id === best![0]);
  from = localDate(Date.now() + 24 * HOUR, tz);
  to = addDays(from, 21);
});
afterAll(async () => {
  await h?.dispose();
  await r?.close();
});

async function availability(f = from, t = to): Promise<Json> {
  return expectOk(await h.api('GET', `/v1/api/availability?offeringId=${offering.id}&from=${f}&to=${t}`));
}

function expectRule(rule: Json): void {
  expect(rule.id).toMatch(/^avr_/);
  expect(rule.offeringId).toMatch(/^off_/);
  expect(Number.isInteger(rule.dayOfWeek)).toBe(true);
  expect(rule.dayOfWeek).toBeGreaterThanOrEqual(0);
  expect(rule.dayOfWeek).toBeLessThanOrEqual(6);
  expect(rule.startTime).toMatch(/^\d{2}:\d{2}$/);
  expect(rule.endTime).toMatch(/^\d{2}:\d{2}$/);
  expect(minutes(rule.endTime)).toBeGreaterThan(minutes(rule.startTime));
  expect(Number.isInteger(rule.slotMinutes)).toBe(true);
  expect(rule.slotMinutes).toBeGreaterThan(0);
  expect(Number.isInteger(rule.capacity)).toBe(true);
  expect(rule.capacity).toBeGreaterThanOrEqual(1);
  expect('validFrom' in rule && 'validUntil' in rule).toBe(true);
}

function expectException(x: Json): void {
  expect(x.id).toMatch(/^avx_/);
  expect(x.offeringId).toMatch(/^off_/);
  expect(['BLOCK', 'OPEN']).toContain(x.kind);
  expect(x.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(x.startTime === null || /^\d{2}:\d{2}$/.test(x.startTime)).toBe(true);
  expect(x.endTime === null || /^\d{2}:\d{2}$/.test(x.endTime)).toBe(true);
  expect(x.reason === null || typeof x.reason === 'string').toBe(true);
}

describe('GET /v1/api/availability', () => {
  it('without offeringId answers rules and exceptions of every offering of the tenant, no slots', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/availability'));
    expect(Array.isArray(body.rules)).toBe(true);
    expect(Array.isArray(body.exceptions)).toBe(true);
    expect(body.slots).toBeUndefined();
    expect(body.rules.length).toBeGreaterThan(0);
    expect(body.exceptions.length).toBeGreaterThan(0);
    for (const rule of body.rules as Json[]) expectRule(rule);
    for (const x of body.exceptions as Json[]) expectException(x);
    const offeringIds = new Set((body.rules as Json[]).map((x) => x.offeringId));
    expect(offeringIds.size, 'rules for more than one offering').toBeGreaterThan(1);
    // Only this tenant's offerings.
    const mine = expectOk(await h.api('GET', '/v1/api/offerings?status=ALL&includeDeleted=true&limit=500')).data as Json[];
    const mineIds = new Set(mine.map((o) => o.id));
    for (const id of offeringIds) expect(mineIds.has(id), id).toBe(true);
  });

  it('with offeringId but no from/to answers that offering’s rules and exceptions', async () => {
    const body = expectOk(await h.api('GET', `/v1/api/availability?offeringId=${offering.id}`));
    expect(body.offeringId).toBe(offering.id);
    expect(body.timezone).toBe(tz);
    expect(body.rules.length).toBeGreaterThan(0);
    for (const rule of body.rules as Json[]) {
      expectRule(rule);
      expect(rule.offeringId).toBe(offering.id);
    }
    expect((body.exceptions as Json[]).filter((x) => x.offeringId !== offering.id)).toEqual([]);
  });

  it('expands the rules into slots day by day (checked independently)', async () => {
    const body = await availability();
    expect(body.offeringId).toBe(offering.id);
    expect(body.timezone).toBe(tz);
    expect(Array.isArray(body.slots)).toBe(true);
    expect(body.slots.length).toBeGreaterThan(0);
    const slots = body.slots as Json[];
    for (const s of slots) {
      expect(s.startsAt).toMatch(ISO_MS);
      expect(s.endsAt).toMatch(ISO_MS);
      expect(Date.parse(s.endsAt)).toBeGreaterThan(Date.parse(s.startsAt));
      expect(Number.isInteger(s.capacity)).toBe(true);
      expect(Number.isInteger(s.booked)).toBe(true);
      expect(s.booked).toBeGreaterThanOrEqual(0);
      expect(s.available).toBe(Math.max(0, s.capacity - s.booked));
    }
    for (let i = 1; i < slots.length; i++) {
      expect(Date.parse(slots[i]!.startsAt)).toBeGreaterThanOrEqual(Date.parse(slots[i - 1]!.startsAt));
    }
    // Every slot lies on a local date inside [from, to).
    for (const s of slots) {
      const d = localDate(Date.parse(s.startsAt), tz);
      expect(d >= from && d < to, `${s.startsAt} local ${d}`).toBe(true);
    }

    const rules = body.rules as Json[];
    const exceptions = body.exceptions as Json[];
    let checkedDays = 0;
    for (let d = from; d < to; d = addDays(d, 1)) {
      const actual = slots
        .filter((s) => localDate(Date.parse(s.startsAt), tz) === d)
        .map((s) => `${s.startsAt}|${s.endsAt}|${s.capacity}`)
        .sort();
      const dayExceptions = exceptions.filter((x) => x.date === d);
      // Days with exceptions are compared in the next test; a day blocked all day (and not reopened) has no slot.
      if (dayExceptions.some((x) => x.kind === 'BLOCK' && x.startTime === null) && !dayExceptions.some((x) => x.kind === 'OPEN')) {
        expect(actual, `${d} is blocked all day`).toEqual([]);
        checkedDays++;
        continue;
      }
      if (dayExceptions.length > 0) continue;
      const dayRules = rules.filter((x) => x.dayOfWeek === weekday(d));
      if (dayRules.some((x) => x.validFrom !== null || x.validUntil !== null)) continue;
      const expected: string[] = [];
      for (const rule of dayRules) {
        for (let m = minutes(rule.startTime); m + rule.slotMinutes <= minutes(rule.endTime); m += rule.slotMinutes) {
          const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const start = zonedToUtc(d, hhmm, tz);
          expected.push(`${iso(start)}|${iso(start + rule.slotMinutes * 60_000)}|${rule.capacity}`);
        }
      }
      expect(actual, `slots on ${d}`).toEqual(expected.sort());
      checkedDays++;
    }
    expect(checkedDays, 'days compared with the independent expansion').toBeGreaterThan(3);
  });

  it('drops BLOCKed spans and adds OPEN spans', async () => {
    const all = expectOk(await h.api('GET', '/v1/api/availability'));
    const end = addDays(from, 40);
    const inRange = (all.exceptions as Json[]).filter((x) => x.date >= from && x.date < end);
    let checkedBlock = 0;
    let checkedOpen = 0;
    for (const x of inRange) {
      const av = expectOk(await h.api('GET', `/v1/api/availability?offeringId=${x.offeringId}&from=${x.date}&to=${addDays(x.date, 1)}`));
      const daySlots = (av.slots as Json[]).filter((s) => localDate(Date.parse(s.startsAt), tz) === x.date);
      const others = (av.exceptions as Json[]).filter((y) => y.date === x.date && y.id !== x.id);
      if (x.kind === 'BLOCK') {
        if (others.some((y) => y.kind === 'OPEN')) continue;
        const span = x.startTime === null
          ? { startsAt: iso(zonedToUtc(x.date, '00:00', tz)), endsAt: iso(zonedToUtc(addDays(x.date, 1), '00:00', tz)) }
          : { startsAt: iso(zonedToUtc(x.date, x.startTime, tz)), endsAt: iso(zonedToUtc(x.date, x.endTime, tz)) };
        expect(daySlots.filter((s) => overlaps(s, span)), `BLOCK ${x.date} ${x.startTime}`).toEqual([]);
        checkedBlock++;
      } else {
        if (others.some((y) => y.kind === 'BLOCK')) continue;
        const dayRules = (av.rules as Json[]).filter((ru) => ru.dayOfWeek === weekday(x.date));
        const openStart = iso(zonedToUtc(x.date, x.startTime ?? '00:00', tz));
        const first = daySlots.find((s) => s.startsAt === openStart);
        expect(first, `a slot at the start of OPEN ${x.date} ${x.startTime}`).toBeDefined();
        const lengths = dayRules.length > 0 ? dayRules.map((ru) => ru.slotMinutes) : [60];
        const caps = dayRules.length > 0 ? dayRules.map((ru) => ru.capacity) : [1];
        expect(lengths).toContain((Date.parse(first.endsAt) - Date.parse(first.startsAt)) / 60_000);
        expect(caps).toContain(first.capacity);
        checkedOpen++;
      }
    }
    expect(checkedBlock, 'BLOCK exceptions checked').toBeGreaterThan(0);
    expect(checkedOpen, 'OPEN exceptions checked').toBeGreaterThan(0);
  });

  it('answers 422 when from/to are more than 62 days apart, accepts 62', async () => {
    expectOk(await h.api('GET', `/v1/api/availability?offeringId=${offering.id}&from=${from}&to=${addDays(from, 62)}`));
    expectError(
      await h.api('GET', `/v1/api/availability?offeringId=${offering.id}&from=${from}&to=${addDays(from, 63)}`),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('answers 400 for malformed dates and 404 for an unknown offering', async () => {
    expectError(await h.api('GET', `/v1/api/availability?offeringId=${offering.id}&from=tomorrow&to=${to}`), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', `/v1/api/availability?offeringId=off_nope&from=${from}&to=${to}`), 404, 'NOT_FOUND');
  });
});

// ---------------------------------------------------------------------------------------------

function overlaps(a: Json, b: Json): boolean {
  return Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);
}

async function slotAt(startsAt: string): Promise<Json> {
  const body = await availability();
  return (body.slots as Json[]).find((s) => s.startsAt === startsAt);
}

describe('PATCH /v1/api/bookings/:id (reschedule)', () => {
  const used: Json[] = [];
  async function freeSlot(): Promise<Json> {
    const body = await availability();
    const s = (body.slots as Json[]).find(
      (x) => x.available >= 1 && x.booked === 0 && Date.parse(x.startsAt) > Date.now() + 48 * HOUR && !used.some((u) => overlaps(u, x)),
    );
    expect(s, 'a free slot').toBeDefined();
    used.push(s);
    return s;
  }

  async function bookInto(slot: Json): Promise<Json> {
    const b = await simulateBooking(h, { offeringId: offering.id, startsAt: slot.startsAt });
    expect(b.status).toBe('PENDING');
    expect(b.items[0].startsAt).toBe(slot.startsAt);
    return b;
  }

  it('moves an item into a free slot, frees the old one, fires booking.rescheduled', async () => {
    const s1 = await freeSlot();
    const s2 = await freeSlot();
    const b = await bookInto(s1);
    expect((await slotAt(s1.startsAt)).booked).toBe(1);
    const item = b.items[0];
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: item.id, startsAt: s2.startsAt, endsAt: s2.endsAt },
    });
    const p = expectOk(res);
    expectBooking(p);
    expect(p.items[0].id).toBe(item.id);
    expect(p.items[0].startsAt).toBe(s2.startsAt);
    expect(p.items[0].endsAt).toBe(s2.endsAt);
    expect(p.version).toBe(b.version + 1);
    expect(p.status).toBe('PENDING');
    expect((await slotAt(s1.startsAt)).booked).toBe(0);
    expect((await slotAt(s2.startsAt)).booked).toBe(1);

    const hook = await waitFor(() => r.events('booking.rescheduled').find((x) => x.body.data.bookingId === b.id), 'the booking.rescheduled webhook');
    const d = hook.body.data;
    expect(d.itemId).toBe(item.id);
    expect(d.previousStartsAt).toBe(s1.startsAt);
    expect(d.previousEndsAt).toBe(item.endsAt);
    expect(d.startsAt).toBe(s2.startsAt);
    expect(d.endsAt).toBe(s2.endsAt);
    expect(d.version).toBe(p.version);
    expect(d.booking.id).toBe(b.id);
  });

  it('reschedules a CONFIRMED booking too', async () => {
    const s1 = await freeSlot();
    const s2 = await freeSlot();
    const b = await bookInto(s1);
    expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/approve`, { body: {} }));
    const p = expectOk(
      await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: b.items[0].id, startsAt: s2.startsAt, endsAt: s2.endsAt } }),
    );
    expect(p.status).toBe('CONFIRMED');
    expect(p.items[0].startsAt).toBe(s2.startsAt);
  });

  it('answers 409 SLOT_TAKEN for a full slot and changes nothing', async () => {
    const s1 = await freeSlot();
    const full = await freeSlot();
    const b = await bookInto(s1);
    for (let i = 0; i < full.capacity; i++) await bookInto(full);
    const now = await slotAt(full.startsAt);
    expect(now.available).toBe(0);
    expect(now.booked).toBe(full.capacity);
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: b.items[0].id, startsAt: full.startsAt, endsAt: full.endsAt },
    });
    expectError(res, 409, 'SLOT_TAKEN');
    const after = expectOk(await h.api('GET', `/v1/api/bookings/${b.id}`));
    expect(after.items[0].startsAt).toBe(s1.startsAt);
    expect(after.version).toBe(b.version);
  });

  it('answers 409 SLOT_UNAVAILABLE outside every rule’s hours', async () => {
    const s1 = await freeSlot();
    const b = await bookInto(s1);
    const body = await availability();
    const slots = body.slots as Json[];
    const dur = Date.parse(s1.endsAt) - Date.parse(s1.startsAt);
    // A span in the range that overlaps no slot at all (hence no rule hours, no OPEN span).
    let gap: Json = null;
    const startT = zonedToUtc(addDays(from, 2), '00:00', tz);
    for (let t = startT; t < startT + 10 * 24 * HOUR; t += 30 * 60_000) {
      const cand = { startsAt: iso(t), endsAt: iso(t + dur) };
      if (!slots.some((s) => overlaps(s, cand))) {
        gap = cand;
        break;
      }
    }
    expect(gap, 'a span outside the rules').not.toBeNull();
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: b.items[0].id, ...gap } });
    expectError(res, 409, 'SLOT_UNAVAILABLE');
    expect(expectOk(await h.api('GET', `/v1/api/bookings/${b.id}`)).version).toBe(b.version);
  });

  it('answers 409 SLOT_UNAVAILABLE inside a BLOCK exception', async () => {
    // Look for a BLOCK exception on a day where some rule of this tenant applies.
    const all = expectOk(await h.api('GET', '/v1/api/availability'));
    const horizonEnd = addDays(from, 60);
    let target: { off: string; day: string; rule: Json; x: Json } | null = null;
    for (const x of all.exceptions as Json[]) {
      if (x.kind !== 'BLOCK' || x.date < from || x.date >= horizonEnd) continue;
      const rule = (all.rules as Json[]).find((ru) => ru.offeringId === x.offeringId && ru.dayOfWeek === weekday(x.date));
      if (rule) {
        target = { off: x.offeringId, day: x.date, rule, x };
        break;
      }
    }
    expect(target, 'the demo seed has a BLOCK exception on a day with rules in the next 60 days').not.toBeNull();
    const t = target!;
    const startHHMM = t.x.startTime ?? t.rule.startTime;
    const start = zonedToUtc(t.day, startHHMM, tz);
    // A free slot of the same offering to start from.
    const avail = expectOk(
      await h.api('GET', `/v1/api/availability?offeringId=${t.off}&from=${from}&to=${addDays(from, 21)}`),
    );
    const free = (avail.slots as Json[]).find((s) => s.available >= 1 && s.booked === 0 && s.startsAt.slice(0, 10) !== t.day);
    expect(free).toBeDefined();
    const b = await simulateBooking(h, { offeringId: t.off, startsAt: free.startsAt });
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: b.items[0].id, startsAt: iso(start), endsAt: iso(start + t.rule.slotMinutes * 60_000) },
    });
    expectError(res, 409, 'SLOT_UNAVAILABLE');
  });

  it('validates: endsAt after startsAt, itemId/startsAt/endsAt together', async () => {
    const s1 = await freeSlot();
    const b = await bookInto(s1);
    const it0 = b.items[0];
    const backwards = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: it0.id, startsAt: s1.endsAt, endsAt: s1.startsAt },
    });
    expectError(backwards, 422, 'VALIDATION_FAILED');
    expect(errorFields(backwards)).toContain('endsAt');
    const partial = await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: it0.id, startsAt: s1.startsAt } });
    expectError(partial, 422, 'VALIDATION_FAILED');
    const unknown = await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { status: 'CONFIRMED' } });
    expectError(unknown, 422, 'VALIDATION_FAILED');
    expect(expectOk(await h.api('GET', `/v1/api/bookings/${b.id}`)).version).toBe(b.version);
  });

  it('answers 409 BOOKING_NOT_ACTIVE when rescheduling a CANCELLED booking', async () => {
    const s1 = await freeSlot();
    const s2 = await freeSlot();
    const b = await bookInto(s1);
    expectOk(await h.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: {} }));
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: b.items[0].id, startsAt: s2.startsAt, endsAt: s2.endsAt },
    });
    const err = expectError(res, 409, 'BOOKING_NOT_ACTIVE');
    expect(err.details.current.status).toBe('CANCELLED');
  });

  it('counts only other PENDING/CONFIRMED items: capacity − 1 others fit, cancelled ones free the place', async () => {
    const s1 = await freeSlot();
    const full = await freeSlot();
    const b = await bookInto(s1);
    const others: Json[] = [];
    for (let i = 0; i < full.capacity; i++) others.push(await bookInto(full));
    const move = { itemId: b.items[0].id, startsAt: full.startsAt, endsAt: full.endsAt };
    expectError(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: move }), 409, 'SLOT_TAKEN');
    // A CONFIRMED one counts too: approve one, still taken.
    expectOk(await h.api('POST', `/v1/api/bookings/${others[0].id}/approve`, { body: {} }));
    expectError(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: move }), 409, 'SLOT_TAKEN');
    // Cancelling one leaves capacity − 1 others: this item fits exactly.
    expectOk(await h.api('POST', `/v1/api/bookings/${others[1] ? others[1].id : others[0].id}/cancel`, { body: {} }));
    const p = expectOk(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: move }));
    expect(p.items[0].startsAt).toBe(full.startsAt);
    const now = await slotAt(full.startsAt);
    expect(now.booked).toBe(full.capacity);
    expect(now.available).toBe(0);
  });

  it('accepts a span inside a rule’s hours that is not on the slot grid', async () => {
    const s1 = await freeSlot();
    const s2 = await freeSlot();
    const b = await bookInto(s1);
    const q = Math.max(1, Math.floor((Date.parse(s2.endsAt) - Date.parse(s2.startsAt)) / 4 / 60_000)) * 60_000;
    const startsAt = iso(Date.parse(s2.startsAt) + q);
    const endsAt = iso(Date.parse(s2.startsAt) + 2 * q);
    const p = expectOk(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: b.items[0].id, startsAt, endsAt } }));
    expect(p.items[0].startsAt).toBe(startsAt);
    expect(p.items[0].endsAt).toBe(endsAt);
  });

  it('answers 409 SLOT_UNAVAILABLE for a span running past the end of the rule’s hours', async () => {
    const body = await availability();
    const slots = body.slots as Json[];
    const openDays = new Set((body.exceptions as Json[]).map((x) => x.date));
    const last = slots.find(
      (s) =>
        Date.parse(s.startsAt) > Date.now() + 48 * HOUR &&
        s.booked === 0 &&
        !openDays.has(localDate(Date.parse(s.startsAt), tz)) &&
        !slots.some((t) => Date.parse(t.startsAt) < Date.parse(s.endsAt) + 15 * 60_000 && Date.parse(t.endsAt) > Date.parse(s.endsAt)) &&
        !used.some((u) => overlaps(u, s)),
    );
    expect(last, 'a last slot of a day').toBeDefined();
    used.push(last);
    const s1 = await freeSlot();
    const b = await bookInto(s1);
    const res = await h.api('PATCH', `/v1/api/bookings/${b.id}`, {
      body: { itemId: b.items[0].id, startsAt: last.startsAt, endsAt: iso(Date.parse(last.endsAt) + 15 * 60_000) },
    });
    expectError(res, 409, 'SLOT_UNAVAILABLE');
  });

  it('accepts a span inside an OPEN exception', async () => {
    const all = expectOk(await h.api('GET', '/v1/api/availability'));
    const open = (all.exceptions as Json[]).find(
      (x) => x.kind === 'OPEN' && x.startTime !== null && zonedToUtc(x.date, x.startTime, tz) > Date.now() + 24 * HOUR,
    );
    expect(open, 'the demo seed has a future OPEN exception').toBeDefined();
    const av = expectOk(await h.api('GET', `/v1/api/availability?offeringId=${open.offeringId}&from=${from}&to=${addDays(from, 30)}`));
    const start = zonedToUtc(open.date, open.startTime, tz);
    const span = { startsAt: iso(start), endsAt: iso(start + 30 * 60_000) };
    const home = (av.slots as Json[]).find((s) => s.booked === 0 && s.available >= 1 && !overlaps(s, span) && localDate(Date.parse(s.startsAt), tz) !== open.date);
    expect(home).toBeDefined();
    const b = await simulateBooking(h, { offeringId: open.offeringId, startsAt: home.startsAt });
    const p = expectOk(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: b.items[0].id, ...span } }));
    expect(p.items[0].startsAt).toBe(span.startsAt);
  });

  it('a PATCH with the same times changes nothing and fires nothing', async () => {
    const s1 = await freeSlot();
    const b = await bookInto(s1);
    const it0 = b.items[0];
    const before = r.received.length;
    const p = expectOk(await h.api('PATCH', `/v1/api/bookings/${b.id}`, { body: { itemId: it0.id, startsAt: it0.startsAt, endsAt: it0.endsAt } }));
    expect(p.version).toBe(b.version);
    expect(p.items).toEqual(b.items);
    await webhookFence(h, r);
    expect(r.received.slice(before).filter((x) => x.body?.data?.bookingId === b.id)).toEqual([]);
  });

  it('a booking in a slot is counted in that slot', async () => {
    const s = await freeSlot();
    const before = await slotAt(s.startsAt);
    await bookInto(s);
    const after = await slotAt(s.startsAt);
    expect(after.booked).toBe(before.booked + 1);
    expect(after.available).toBe(before.available - 1);
  });
});
