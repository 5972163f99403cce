/**
 * Golden bytes of the export: the exact output of `exportIcsBytes` for a fixed, varied set of
 * bookings is pinned (a readable `.ics` file for the edge cases, SHA-256 digests for larger sets and
 * every option). Speed work on ics.ts must leave these unchanged; if a change of output is wanted on
 * purpose, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/calendar/golden.test.ts` and review
 * the diff of golden.ics.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventCache, exportIcsBytes, type CalendarBooking, type IcsOptions } from '../../src/main/core/calendar/ics.ts';
import type { BookingStatus } from '../../src/shared/contract/types.ts';
import { booking, parseBoth } from './helpers.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';
// Regenerating: the new digests, to paste into `digests` below after review.
afterAll(() => {
  if (update) console.log(JSON.stringify(digests, null, 2));
});
const goldenFile = join(import.meta.dirname, 'golden.ics');

/** Edge cases: non-ASCII of every width, lone surrogates, control characters, TEXT specials, long ids. */
function edgeCases(): CalendarBooking[] {
  const long = 'José Müller-Łukasiewicz 東京 and Zoë Øvergård-Đặng 🎉 with Ñandú Çelik';
  return [
    booking({ id: 'bkg_1', version: 3, customerName: long, notes: 'Bring the projector; two chairs, please.\nSecond line — “quoted” ✓', location: '12 Canal Street, New York' }),
    booking({ id: 'bkg_2', status: 'PENDING', customerName: 'Chloé Dubois', items: [{ id: 'bki_2', startsAt: '2026-05-13T09:00:00.000Z', endsAt: '2026-05-13T11:00:00.000Z' }] }),
    booking({ id: 'bkg_3', status: 'CANCELLED', version: 4, updatedAt: '2026-05-02T08:30:00.000Z', items: [{ id: 'bki_3', startsAt: '2026-05-14T09:00:00.000Z', endsAt: '2026-05-14T10:00:00.000Z' }] }),
    booking({
      id: 'bkg_4',
      status: 'COMPLETED',
      offeringId: 'off_van',
      offeringTitle: 'Cargo Van',
      items: [
        { id: 'bki_4a', startsAt: '2026-04-01T09:00:00.000Z', endsAt: '2026-04-01T17:00:00.000Z' },
        { id: 'bki_4b', startsAt: '2026-04-02T09:00:00.000Z', endsAt: '2026-04-02T17:00:00.000Z' },
      ],
    }),
    booking({ id: 'bkg_5', status: 'REFUNDED', version: null, updatedAt: '2026-03-03T03:03:03.333Z', notes: '  padded notes  ', items: [{ id: 'bki_5', startsAt: '2026-05-15T00:00:00.000Z', endsAt: '2026-05-16T00:00:00.000Z' }] }),
    booking({
      id: 'bkg_6',
      offeringTitle: 'Back\\slash; semi, comma',
      customerName: 'Ctrl\u0001\u0007\u001f\u007f Name \ud800 lone \udc00 surrogates',
      notes: 'CR\rLF\nCRLF\r\nTab\there',
      location: 'Line one\nLine two; with, specials \\',
      items: [{ id: 'bki_6', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T15:30:00.000Z' }],
    }),
    booking({ id: 'bkg_7', customerName: '🎉'.repeat(40), items: [{ id: `bki_7_${'x'.repeat(90)}`, startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z' }] }),
    booking({ id: 'bkg_8', customerName: 'é'.repeat(100), notes: '東'.repeat(60), items: [{ id: 'bki_8', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z' }] }),
    booking({ id: 'bkg_9', customerName: 'a'.repeat(74), offeringTitle: 'T', location: 'b'.repeat(200), items: [{ id: 'bki_9', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z' }] }),
    // End before start (the library swaps them), zero length, odd precision, far years.
    booking({ id: 'bkg_10', items: [{ id: 'bki_10', startsAt: '2026-06-01T12:00:00.000Z', endsAt: '2026-06-01T11:00:00.000Z' }] }),
    booking({ id: 'bkg_11', items: [{ id: 'bki_11', startsAt: '2026-06-01T12:00:00Z', endsAt: '2026-06-01T12:00:00Z' }] }),
    booking({ id: 'bkg_12', version: 0, updatedAt: '2019-12-31T23:59:59.999Z', items: [{ id: 'bki_12', startsAt: '0999-01-01T00:00:00.000Z', endsAt: '9999-12-31T23:59:59.999Z' }] }),
    booking({ id: 'bkg_13', updatedAt: '2026-05-01T10:00:00+02:00', items: [{ id: 'bki_13', startsAt: '2026-05-01T10:00:00+02:00', endsAt: '2026-05-01T11:00:00.5+02:00' }] }),
    // Unparsable times: left out.
    booking({ id: 'bkg_14', items: [{ id: 'bki_14', startsAt: 'not a date', endsAt: '2026-06-01T11:00:00.000Z' }] }),
    // Same start: ordered by item id.
    booking({ id: 'bkg_15', items: [{ id: 'bki_15b', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z' }, { id: 'bki_15a', startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T17:00:00.000Z' }] }),
    booking({ id: 'bkg /?&#16', offeringId: 'off_other', items: [{ id: 'bki_16', startsAt: '2026-07-01T08:00:00.000Z', endsAt: '2026-07-01T09:00:00.000Z' }] }),
  ];
}

/** A deterministic mix like bench/calendar.ts, but with more variety per field. */
function generated(n: number): CalendarBooking[] {
  let seed = 42;
  const rnd = (k: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % k;
  };
  const names = ['Ana García', 'José Müller-Łukasiewicz 東京', 'Chloé Dubois', 'Wei Zhang', 'Oluwaseun Adeyemi', 'Zoë 🎉 Øvergård', 'O’Brien, Pat; Jr.'];
  const statuses: BookingStatus[] = ['CONFIRMED', 'COMPLETED', 'CANCELLED', 'PENDING', 'REFUNDED'];
  const locations = [null, '12 Canal Street, New York', 'Große Straße 5; Hinterhof', 'A much longer location that goes on and on past the seventy-five octet line limit'];
  const base = Date.UTC(2026, 0, 1, 9);
  const out: CalendarBooking[] = [];
  for (let i = 0; i < n; i++) {
    const items = [];
    const count = 1 + (rnd(10) === 0 ? rnd(3) : 0);
    for (let k = 0; k < count; k++) {
      const start = base + rnd(5000) * 1_800_000 + rnd(60) * 1000;
      items.push({ id: `bki_${i}_${k}`, startsAt: new Date(start).toISOString(), endsAt: new Date(start + (1 + rnd(8)) * 1_800_000).toISOString() });
    }
    out.push({
      id: `bkg_${String(i).padStart(6, '0')}`,
      status: statuses[rnd(statuses.length)] ?? 'CONFIRMED',
      version: rnd(7) === 0 ? null : 1 + rnd(9),
      updatedAt: new Date(Date.UTC(2025, 11, 1) + rnd(10_000_000) * 1000 + rnd(1000)).toISOString(),
      offeringId: `off_${rnd(20)}`,
      offeringTitle: `Studio ${rnd(20)}`,
      customerName: names[rnd(names.length)] ?? 'Ana',
      notes: rnd(3) === 0 ? 'Needs a projector, please; and two chairs.\nAnd coffee — “strong”.' : '',
      items,
      location: locations[rnd(locations.length)] ?? null,
    });
  }
  return out;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const variants: Array<[string, Omit<IcsOptions, 'cache'>]> = [
  ['default', { calendarName: 'Atlas Studios — bookings', subdomain: 'atlas' }],
  ['pending, odd name', { calendarName: 'Name, with; specials\nand a newline', subdomain: 'atlas', filter: { includePending: true } }],
  ['no subdomain, refresh', { calendarName: 'X', subdomain: null, refreshSeconds: 3600, filter: { includePending: true } }],
  ['window + offerings', { calendarName: 'Window', subdomain: 'atlas', filter: { from: '2026-02-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', offeringIds: ['off_1', 'off_2', 'off_3'] } }],
  ['statuses', { calendarName: 'Cancelled only', subdomain: 'atlas', filter: { statuses: ['CANCELLED', 'REFUNDED'] } }],
];

// Digests of exportIcsBytes(generated(3000), variant) made before the speed work on ics.ts.
const digests: Record<string, string> = {
  default: '3727cb97f983edf0e77ebd5e16fdf01fc5333f2d147acb1d87a8226f3adc57ef',
  'pending, odd name': 'd340449fd09ee2a4e5806ef8476812c0223225f99e01b8272d268ae92ad5de57',
  'no subdomain, refresh': 'c7cbf4ed8960d9700ee0d751b67491cfb50daedb528d04709655be0db4d6021d',
  'window + offerings': '6ccd5d04bd53ef295418f50c2b2c0bbbfbe0d140bc46a01c2ea44360d29feb37',
  statuses: 'dff64dd671882039d24434d3896aa4453b5d9929e827285b55e006f60c9a7a6e',
};

describe('export golden bytes', () => {
  it('writes the edge cases exactly as golden.ics (cold and from the cache)', () => {
    const opts: IcsOptions = { calendarName: 'Golden, test; calendar', subdomain: 'atlas', filter: { includePending: true } };
    const cache = createEventCache();
    const cold = exportIcsBytes(edgeCases(), { ...opts, cache });
    const warm = exportIcsBytes(edgeCases().reverse(), { ...opts, cache });
    expect(warm.equals(cold)).toBe(true);
    if (update) writeFileSync(goldenFile, cold);
    // A missing golden file is a failure, not a fresh start: regenerate it on purpose (see the top).
    expect(existsSync(goldenFile), `${goldenFile} is missing`).toBe(true);
    const golden = readFileSync(goldenFile);
    expect(cold.toString('utf8')).toBe(golden.toString('utf8'));
    expect(cold.equals(golden)).toBe(true);
    expect(parseBoth(cold.toString('utf8')).events.length).toBeGreaterThan(10);
  });

  it.each(variants)('gives the pinned bytes for 3,000 generated bookings: %s', (name, opts) => {
    const bookings = generated(3000);
    const cache = createEventCache();
    const cold = exportIcsBytes(bookings, { ...opts, cache });
    // Warm (every event cached) and after a few changes: still the bytes of a cold export.
    expect(exportIcsBytes(bookings, { ...opts, cache }).equals(cold)).toBe(true);
    const changed = bookings.slice();
    for (const i of [5, 500, 2999]) {
      const b = changed[i];
      if (b) changed[i] = { ...b, customerName: `${b.customerName} — changed`, version: (b.version ?? 0) + 1 };
    }
    const after = exportIcsBytes(changed, { ...opts, cache });
    expect(after.equals(exportIcsBytes(changed, { ...opts, cache: createEventCache() }))).toBe(true);
    const digest = sha(cold);
    if (update) digests[name] = digest;
    else expect(digest).toBe(digests[name]);
  });

  it('keeps the bytes through many re-renders while the cache compacts its chunks', () => {
    const opts = variants[1]?.[1] ?? { calendarName: 'x' };
    const cache = createEventCache();
    const internals = cache as unknown as { liveBytes: number; chunkBytes: number };
    let bookings = generated(1500);
    for (let round = 0; round < 12; round++) {
      // Every third booking changes each round: old versions pile up in the chunks until compaction.
      bookings = bookings.map((b, i) => (i % 3 === round % 3 ? { ...b, version: (b.version ?? 0) + 1, notes: `${b.notes} r${round}` } : b));
      const cached = exportIcsBytes(bookings, { ...opts, cache });
      expect(cached.equals(exportIcsBytes(bookings, { ...opts, cache: createEventCache() }))).toBe(true);
      expect(internals.chunkBytes).toBeLessThanOrEqual(2 * internals.liveBytes + 5 * 256 * 1024);
    }
    expect(exportIcsBytes(bookings, { ...opts, cache }).equals(exportIcsBytes(bookings, { ...opts, cache: createEventCache() }))).toBe(true);
  });

});
