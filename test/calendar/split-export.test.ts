/**
 * An export to a file split between the calendar's two worker threads (each reads the replica on its
 * own connection and renders half the events): the file is byte for byte the export rendered in one
 * piece, also while the replica is being written, and the workers can be started ahead of need.
 * A real replica file written with SQLite; real worker threads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplica, type ReplicaDb } from '../../src/main/core/db/open.ts';
import { CalendarWorker } from '../../src/main/core/calendar/render-worker.ts';
import { fingerprintIcs } from '../../src/main/core/calendar/fingerprint.ts';
import { exportIcsBytes, planIcs, type CalendarBooking, type IcsFilter } from '../../src/main/core/calendar/ics.ts';
import { readCalendarBookings, readTenant } from '../../src/main/core/calendar/source.ts';

const dir = mkdtempSync(join(tmpdir(), 'cal-split-'));
const file = join(dir, 'replica.db');
let replica: ReplicaDb;
const statuses = ['CONFIRMED', 'COMPLETED', 'CANCELLED', 'PENDING', 'REFUNDED'];
const names = ['Ana García', 'José Müller-Łukasiewicz 東京', 'Wei Zhang'];

function insert(db: ReplicaDb['sqlite'], from: number, count: number): void {
  const insB = db.prepare(
    `INSERT INTO bookings (id, status, offering_id, offering_title, customer_id, customer_name, customer_email, subtotal_cents, discount_cents,
       tax_cents, total_cents, currency, notes, starts_at, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,0,0,0,0,'USD',?,?,?,?,?)`,
  );
  const insI = db.prepare('INSERT INTO booking_items (id, booking_id, position, offering_id, starts_at, ends_at, quantity, price_cents) VALUES (?,?,?,?,?,?,1,0)');
  db.transaction(() => {
    for (let i = from; i < from + count; i++) {
      // Starts spread so that new rows land among the old ones (every part of the output moves).
      const start = Date.UTC(2026, 0, 1) + ((i * 7919) % 20_000) * 3_600_000;
      const at = new Date(start).toISOString();
      const id = `bkg_${i}`;
      insB.run(id, statuses[i % 5], `off_${i % 4}`, `Studio ${i % 4}`, 'cus_1', names[i % 3], 'x@example.com', i % 2 ? 'Two chairs; a projector, please.' : '', at, at, at, 1 + (i % 3));
      insI.run(`bki_${i}_a`, id, 0, `off_${i % 4}`, at, new Date(start + 3_600_000).toISOString());
      // Every seventh booking has a second item, a day later.
      if (i % 7 === 0) insI.run(`bki_${i}_b`, id, 1, `off_${i % 4}`, new Date(start + 86_400_000).toISOString(), new Date(start + 90_000_000).toISOString());
    }
  })();
}

beforeAll(() => {
  replica = openReplica(file);
  insert(replica.sqlite, 0, 3000);
  replica.sqlite.prepare("INSERT INTO meta (key, value) VALUES ('tenant', ?)").run(JSON.stringify({ name: 'Atlas Studios', subdomain: 'atlas' }));
});

afterAll(() => {
  replica.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The replica's change stamp as the core takes it (handlers.ts): data_version and total_changes(). */
function stampOf(db: ReplicaDb['sqlite']): () => string {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  return () => `${String(dataVersion.get())}:${String(totalChanges.get())}`;
}

/** The export as the engine thread would render it in one piece from the replica as it is now. */
function inThread(filter: IcsFilter): Buffer {
  const tenant = readTenant(replica.sqlite);
  return exportIcsBytes(readCalendarBookings(replica.sqlite, filter), { calendarName: `${tenant.name ?? 'Orkestr'} bookings`, subdomain: tenant.subdomain, filter });
}

function uids(ics: Buffer): string[] {
  return [...ics.toString('utf8').matchAll(/^UID:(.*)\r$/gm)].map((m) => m[1] ?? '');
}

describe('an export to a file split between two workers', () => {
  it('is byte for byte the export in one piece, whether the replica stayed unchanged or the parts compare fingerprints', async () => {
    const lines: string[] = [];
    const log = (line: string): void => void lines.push(line);
    for (const options of [{ renderers: 2, changeStamp: () => 'same', log }, { renderers: 2, log }, { renderers: 1, log }]) {
      const worker = new CalendarWorker(file, options);
      try {
        // Everything, the default set, one event, none (fewer events than workers: one part is empty).
        const one = { from: '2026-01-01T00:30:00.000Z', to: '2026-01-01T00:40:00.000Z' };
        const none = { statuses: ['CONFIRMED' as const], from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' };
        for (const filter of [{ includePending: true }, {}, one, none]) {
          const out = join(dir, 'out.ics');
          const r = await worker.exportToFile(filter, out);
          const expected = inThread(filter);
          const written = readFileSync(out);
          expect(written.equals(expected)).toBe(true);
          expect(r.bytes).toBe(expected.length);
          expect(r.events).toBe(uids(expected).length);
          expect(written.toString('utf8').match(/^(BEGIN|END):VCALENDAR(?=\r$)/gm)).toEqual(['BEGIN:VCALENDAR', 'END:VCALENDAR']);
        }
      } finally {
        await worker.close();
      }
    }
    // One line per export: unchanged stamp (each worker read its share), no stamp (fingerprints compared), one worker.
    expect(lines.map((l) => l.replace(/^calendar export: \d+ events? to a file in /, '').replace(/; worker CPU .*$/, '').replace(/\d+ \+ \d+/, 'n + n'))).toEqual([
      ...Array(4).fill('2 parts (each worker read its share of the bookings, n + n events; replica unchanged)'),
      ...Array(4).fill('2 parts (same fingerprints)'),
      ...Array(4).fill('1 part (one worker)'),
    ]);
  });

  it('joins parts only from one read: with the replica written all along, no event is doubled or lost', async () => {
    const before = new Set(uids(inThread({ includePending: true })));
    const worker = new CalendarWorker(file, { renderers: 2 });
    let next = 100_000;
    let writing = true;
    // Commits on the engine's connection while the workers read and render (each lands among the events).
    const writer = (async () => {
      while (writing) {
        insert(replica.sqlite, next, 5);
        next += 5;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      for (let round = 0; round < 4; round++) {
        const out = join(dir, `busy-${round}.ics`);
        const r = await worker.exportToFile({ includePending: true }, out);
        const got = uids(readFileSync(out));
        expect(new Set(got).size).toBe(got.length);
        expect(got.length).toBe(r.events);
        for (const uid of before) expect(got.includes(uid)).toBe(true);
      }
    } finally {
      writing = false;
      await writer;
      await worker.close();
    }
  });

  it('has each worker read only its share of the bookings when the replica stays unchanged (events interleaved in time)', async () => {
    const lines: string[] = [];
    const worker = new CalendarWorker(file, { renderers: 2, changeStamp: stampOf(replica.sqlite), log: (line) => void lines.push(line) });
    try {
      const out = join(dir, 'shares.ics');
      const r = await worker.exportToFile({ includePending: true }, out);
      expect(readFileSync(out).equals(inThread({ includePending: true }))).toBe(true);
      const m = /each worker read its share of the bookings, (\d+) \+ (\d+) events/.exec(lines.at(-1) ?? '');
      expect(m, lines.at(-1)).not.toBeNull();
      const [a, b] = [Number(m?.[1]), Number(m?.[2])];
      expect(a + b).toBe(r.events);
      // Split by rowid: about half each (bookings with two items make it uneven by a little).
      for (const n of [a, b]) expect(n).toBeGreaterThan(r.events * 0.4);
      // Each worker's CPU, and the same by phase (where a cold export's time goes: bench/calendar.ts).
      // Read and rendered together (each booking as its rows come), then ordered, then written.
      const cpu = /worker CPU (\d+) ms \(read\+render (\d+), order (\d+), write (\d+)\) \+ (\d+) ms \(read\+render (\d+), order (\d+), write (\d+)\)$/.exec(lines.at(-1) ?? '');
      expect(cpu, lines.at(-1)).not.toBeNull();
      const [all0, ...phases0] = (cpu?.slice(1, 5) ?? []).map(Number);
      // Rounded one by one: the phases add up to the whole within a millisecond or two.
      expect(Math.abs((all0 ?? 0) - phases0.reduce((n, x) => n + x, 0))).toBeLessThanOrEqual(3);
    } finally {
      await worker.close();
    }
  });

  it('with the replica written during the reads (a stamp that moves), falls back to one worker: no event doubled or lost', async () => {
    const before = new Set(uids(inThread({ includePending: true })));
    const lines: string[] = [];
    const worker = new CalendarWorker(file, { renderers: 2, changeStamp: stampOf(replica.sqlite), log: (line) => void lines.push(line) });
    let next = 200_000;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        insert(replica.sqlite, next, 5);
        next += 5;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        const out = join(dir, `busy-stamped-${round}.ics`);
        const r = await worker.exportToFile({ includePending: true }, out);
        const got = uids(readFileSync(out));
        expect(new Set(got).size).toBe(got.length);
        expect(got.length).toBe(r.events);
        for (const uid of before) expect(got.includes(uid)).toBe(true);
      }
      expect(lines.some((l) => l.includes('done again by one worker'))).toBe(true);
    } finally {
      writing = false;
      await writer;
      await worker.close();
    }
  });

  it('starts its workers ahead of need and compiles their render code (warm)', async () => {
    const worker = new CalendarWorker(file, { renderers: 2 });
    try {
      const cpu = await worker.warm();
      expect(cpu).toHaveLength(2);
      for (const ms of cpu) expect(ms).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
  });
});

describe('fingerprintIcs', () => {
  const booking: CalendarBooking = {
    id: 'bkg_1',
    status: 'CONFIRMED',
    version: 2,
    updatedAt: '2026-01-01T00:00:00.000Z',
    offeringId: 'off_1',
    offeringTitle: 'Studio',
    customerName: 'Ana García',
    notes: '',
    items: [{ id: 'bki_1', startsAt: '2026-02-01T10:00:00.000Z', endsAt: '2026-02-01T11:00:00.000Z' }],
    location: null,
  };
  const print = (b: CalendarBooking, name = 'Cal', subdomain = 'atlas'): string => fingerprintIcs(planIcs([b, { ...booking, id: 'bkg_2', items: [{ ...booking.items[0]!, id: 'bki_2' }] }], { calendarName: name, subdomain }));

  it('is the same for the same data and changes with any input of the bytes', () => {
    const base = print(booking);
    expect(print({ ...booking })).toBe(base);
    const changed: CalendarBooking[] = [
      { ...booking, status: 'CANCELLED' },
      { ...booking, version: 3 },
      { ...booking, version: null },
      { ...booking, updatedAt: '2026-01-01T00:00:00.001Z' },
      { ...booking, offeringTitle: 'Studio ' },
      { ...booking, customerName: 'Ana Garcia' },
      { ...booking, notes: 'x' },
      { ...booking, location: 'Canal Street' },
      { ...booking, items: [{ ...booking.items[0]!, startsAt: '2026-02-01T10:00:00.001Z' }] },
      { ...booking, items: [{ ...booking.items[0]!, endsAt: '2026-02-01T11:00:01.000Z' }] },
      { ...booking, items: [{ ...booking.items[0]!, id: 'bki_1b' }] },
    ];
    for (const b of changed) expect(print(b)).not.toBe(base);
    expect(print(booking, 'Cal 2')).not.toBe(base);
    expect(print(booking, 'Cal', 'atlas2')).not.toBe(base);
  });
});

describe('readCalendarBookings', () => {
  it('groups a booking’s items the same whether it walks the table or the status index', () => {
    const byTable = readCalendarBookings(replica.sqlite, { statuses: ['PENDING', 'COMPLETED'] });
    const byIndex = readCalendarBookings(replica.sqlite, { statuses: ['PENDING'] });
    const pendingFromTable = byTable.filter((b) => b.status === 'PENDING');
    const key = (bs: CalendarBooking[]): string[] => bs.map((b) => `${b.id}:${b.items.map((i) => i.id).sort().join(',')}`).sort();
    expect(key(byIndex)).toEqual(key(pendingFromTable));
    expect(byIndex.some((b) => b.items.length === 2)).toBe(true);
    expect(new Set(byTable.map((b) => b.id)).size).toBe(byTable.length);
  });
});
