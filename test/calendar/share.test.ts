/**
 * placeShare: where each worker's events go when two workers each rendered the events of their share
 * of the bookings (share.ts). The merge must give selectEntries' order: start, then item id.
 */
import { describe, expect, it } from 'vitest';
import { createEventCache, planIcs, type CalendarBooking, type IcsFilter } from '../../src/main/core/calendar/ics.ts';
import { piecesOf, placeShare, renderShare, renderShareStream, type RenderedShare, type ShareKeys } from '../../src/main/core/calendar/share.ts';

function keys(events: Array<[number, string, number]>): ShareKeys {
  let at = 0;
  return {
    startMs: Float64Array.from(events.map((e) => e[0])),
    ids: events.map((e) => e[1]).join(''),
    idEnds: Uint32Array.from(events.map((e) => (at += e[1].length))),
    sizes: Uint32Array.from(events.map((e) => e[2])),
  };
}

describe('placeShare', () => {
  it('merges by start, equal starts by item id, and gives each share its runs at their offsets', () => {
    // Share 0: a1@10, b2@20, d@30; share 1: a9@10, b10@20, f@40 (sizes 100, 200, 300 / 10, 20, 40).
    const s0 = keys([[10, 'a1', 100], [20, 'b2', 200], [30, 'd', 300]]);
    const s1 = keys([[10, 'a9', 10], [20, 'b10', 20], [40, 'f', 40]]);
    // Order: a1 (s0), a9 (s1), b10 (s1, "b10" < "b2"), b2 (s0), d (s0), f (s1); head of 7 octets.
    expect(placeShare([s0, s1], 0, 7)).toEqual([
      { position: 7, from: 0, to: 1 },
      { position: 7 + 100 + 10 + 20, from: 1, to: 3 },
    ]);
    expect(placeShare([s0, s1], 1, 7)).toEqual([
      { position: 107, from: 0, to: 2 },
      { position: 107 + 30 + 500, from: 2, to: 3 },
    ]);
  });

  it('places an empty share nowhere and the other share in one run', () => {
    const none = keys([]);
    const all = keys([[1, 'x', 5], [2, 'y', 6]]);
    expect(placeShare([none, all], 0, 3)).toEqual([]);
    expect(placeShare([none, all], 1, 3)).toEqual([{ position: 3, from: 0, to: 2 }]);
  });
});

/** Bookings in no particular order: several items, equal starts, statuses the filter drops, non-ASCII text. */
function streamBookings(): CalendarBooking[] {
  const out: CalendarBooking[] = [];
  const statuses = ['CONFIRMED', 'PENDING', 'CANCELLED', 'COMPLETED', 'REFUNDED'] as const;
  for (let i = 0; i < 60; i++) {
    // Starts that repeat (i % 9) so that equal starts are ordered by item id, and go back in time.
    const start = Date.UTC(2026, 4, 1) + ((i * 5) % 9) * 3_600_000;
    const at = (ms: number): string => new Date(ms).toISOString();
    const items = [{ id: `bki_${60 - i}_a`, startsAt: at(start), endsAt: at(start + 1_800_000) }];
    if (i % 4 === 0) items.push({ id: `bki_${60 - i}_b`, startsAt: at(start - 86_400_000), endsAt: at(start - 84_600_000) });
    out.push({
      id: `bkg_${i}`,
      status: statuses[i % statuses.length] ?? 'CONFIRMED',
      version: i % 3 === 0 ? null : i,
      updatedAt: at(Date.UTC(2026, 3, 1) + i * 60_000),
      offeringId: `off_${i % 3}`,
      offeringTitle: `Studio ${i % 3}`,
      customerName: i % 2 ? 'José Müller-Łukasiewicz 東京' : 'Ana',
      notes: i % 5 === 0 ? 'A projector, please; two chairs, by the window, and a very long note that folds.' : '',
      items,
      location: i % 2 ? null : '12 Canal Street',
    });
  }
  return out;
}

function bytesOf(share: RenderedShare): Buffer {
  return Buffer.concat(piecesOf(share, 0, share.keys.sizes.length));
}

describe('renderShareStream', () => {
  it('renders bookings as they are handed over and answers them in output order, byte for byte the planned share', () => {
    const filter: IcsFilter = { includePending: false, from: '2026-04-30T12:00:00.000Z' };
    const bookings = streamBookings();
    const planned = renderShare(planIcs(bookings, { calendarName: 'Cal', subdomain: 'atlas', filter }), createEventCache());
    const streamed = renderShareStream((visit) => bookings.forEach(visit), filter, 'atlas', createEventCache());
    expect(streamed.keys.sizes.length).toBeGreaterThan(30);
    expect(streamed.keys).toEqual(planned.keys);
    expect(streamed.bytes).toBe(planned.bytes);
    expect(bytesOf(streamed).equals(bytesOf(planned))).toBe(true);
  });

  it('reuses a cached event only while every input it was made from is unchanged', () => {
    const bookings = streamBookings();
    const cache = createEventCache();
    const stream = (list: CalendarBooking[]): Buffer => bytesOf(renderShareStream((visit) => list.forEach(visit), undefined, 'atlas', cache));
    const fresh = (list: CalendarBooking[], subdomain = 'atlas'): Buffer => bytesOf(renderShareStream((visit) => list.forEach(visit), undefined, subdomain, createEventCache()));
    stream(bookings);
    const b = bookings[1]!;
    const changes: Array<Partial<CalendarBooking>> = [
      { version: 99 },
      { version: null },
      { updatedAt: '2026-04-02T00:00:00.000Z' },
      { status: 'CANCELLED' },
      { offeringTitle: 'Studio X' },
      { customerName: 'Ana' },
      { notes: 'New note' },
      { location: 'Elsewhere' },
      { items: [{ ...b.items[0]!, startsAt: '2026-05-01T00:00:00.000Z' }] },
      { items: [{ ...b.items[0]!, endsAt: '2026-05-09T00:00:00.000Z' }] },
    ];
    for (const change of changes) {
      const list = bookings.map((x) => (x === b ? { ...x, ...change } : x));
      expect(stream(list).equals(fresh(list)), JSON.stringify(change)).toBe(true);
    }
    expect(stream(bookings).equals(fresh(bookings))).toBe(true);
    expect(bytesOf(renderShareStream((visit) => bookings.forEach(visit), undefined, 'other', cache)).equals(fresh(bookings, 'other'))).toBe(true);
  });
});
