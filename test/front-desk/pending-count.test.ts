/**
 * Issue #16: the queue's badge count (ConsoleCore.pendingCount, which the engine host sends at start
 * and after every change) is now index counts with the overlay's corrections instead of a count over
 * every PENDING row. These prove it stays what the queue shows through the changes that move it: an
 * approve (overlay CONFIRMED over truth PENDING), a reschedule (overlay PENDING over truth PENDING:
 * counted once), its undo, and a pulled change of truth. Real SQLite file, calls through the contract.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';

let dir: string;
let c: TestCore;
const PENDING = 40;
const id = (i: number): string => `bkg_${String(i).padStart(3, '0')}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pending-count-'));
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const db = c.core.replica.sqlite;
  const booking = db.prepare(
    `INSERT INTO bookings (id, status, offering_id, offering_title, customer_id, customer_name, customer_email, subtotal_cents, discount_cents, tax_cents, total_cents, currency, starts_at, created_at, updated_at, version)
     VALUES (?, ?, 'off_1', 'Soho Loft', 'cus_1', 'Ana García', 'ana@example.com', 1000, 0, 0, 1000, 'USD', ?, ?, ?, 1)`,
  );
  const item = db.prepare("INSERT INTO booking_items (id, booking_id, position, offering_id, starts_at, ends_at, quantity, price_cents) VALUES (?, ?, 0, 'off_1', ?, ?, 1, 1000)");
  c.core.replica.transaction(() => {
    for (let i = 0; i < PENDING + 10; i++) {
      const start = new Date(Date.UTC(2030, 0, 1, 9) + i * 86_400_000);
      const created = new Date(Date.UTC(2029, 0, 1) + i * 60_000).toISOString();
      booking.run(id(i), i < PENDING ? 'PENDING' : 'CONFIRMED', start.toISOString(), created, created);
      item.run(`itm_${i}`, id(i), start.toISOString(), new Date(start.getTime() + 3_600_000).toISOString());
    }
  });
});

afterAll(async () => {
  await c?.core.close();
  rmSync(dir, { recursive: true, force: true });
});

const queueTotal = async (): Promise<number> => (await c.call('queue.window', { sort: 'waiting', limit: 5 })).total;

describe('the badge count follows the queue', () => {
  it('at start, after an approve, a reschedule, its undo, and a pulled change', async () => {
    expect(c.core.pendingCount()).toBe(PENDING);
    expect(await queueTotal()).toBe(PENDING);

    await c.call('bookings.approve', { id: id(0) });
    expect(c.core.pendingCount()).toBe(PENDING - 1);

    // Still PENDING with a queued reschedule: overlaid, but counted once.
    const moved = await c.call('bookings.reschedule', { id: id(1), itemId: 'itm_1', startsAt: '2031-02-01T10:00:00.000Z', endsAt: '2031-02-01T11:00:00.000Z' });
    expect(c.core.pendingCount()).toBe(PENDING - 1);
    expect(await queueTotal()).toBe(PENDING - 1);

    await c.call('intents.undo', { id: moved.intentId! });
    expect(c.core.pendingCount()).toBe(PENDING - 1);

    // The server confirmed another one (as a pull writes it).
    c.core.replica.sqlite.prepare("UPDATE bookings SET status = 'CONFIRMED' WHERE id = ?").run(id(5));
    expect(c.core.pendingCount()).toBe(PENDING - 2);
    expect(await queueTotal()).toBe(PENDING - 2);
  });

  it('an approve and its undo count the overlay only, not every PENDING booking again; a change of truth does', async () => {
    const replica = c.core.replica;
    const real = replica.stmt.bind(replica);
    const seen: string[] = [];
    replica.stmt = (text: string) => (seen.push(text), real(text));
    const fullCounts = (): number => seen.filter((t) => t === "SELECT count(*) AS n FROM bookings WHERE status = 'PENDING'").length;
    try {
      const before = c.core.pendingCount();
      seen.length = 0;
      const { intentId } = await c.call('bookings.approve', { id: id(20) });
      expect(c.core.pendingCount()).toBe(before - 1);
      await c.call('intents.undo', { id: intentId! });
      expect(c.core.pendingCount()).toBe(before);
      expect(fullCounts()).toBe(0);
      c.core.replica.sqlite.prepare("UPDATE bookings SET status = 'CONFIRMED' WHERE id = ?").run(id(21));
      expect(c.core.pendingCount()).toBe(before - 1);
      expect(fullCounts()).toBe(1);
    } finally {
      replica.stmt = real;
    }
  });
});
