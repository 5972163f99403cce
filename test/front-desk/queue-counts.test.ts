/**
 * Issue #16: the queue's counts (total, held, flagged, the date groups) are the truth's range counts,
 * kept across the intents this console queues (an approve at a 1M-booking tenant recounted ~108k
 * PENDING rows, ~60 ms, before the window could answer), with the intents' few rows laid over them on
 * every call. These prove the counts shown stay equal to a direct SQL count of what the UI sees as
 * PENDING through approvals, declines, a reschedule, undo and changes of truth, for every filter; and
 * that an intent does not recount the truth while a change of truth does. Real SQLite file, calls
 * through the contract.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, QueueGroup } from '../../src/shared/contract/types.ts';
import { groupBounds } from '../../src/main/core/bookings/queue-groups.ts';
import { tenantTimeZone } from '../../src/main/core/settings/store.ts';
import { openCore, type TestCore } from '../support/core.ts';

let dir: string;
let c: TestCore;
const N = 60;
const id = (i: number): string => `bkg_${String(i).padStart(3, '0')}`;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Starts spread over every group: past, today, tomorrow, this week, later, and none (no items). */
function startOf(i: number, now: number): string | null {
  const offsets = [-3 * DAY, 2 * HOUR, DAY + 2 * HOUR, 4 * DAY, 30 * DAY, null];
  const o = offsets[i % offsets.length]!;
  return o === null ? null : new Date(now + o + i * 60_000).toISOString();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'queue-counts-'));
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const db = c.core.replica.sqlite;
  const booking = db.prepare(
    `INSERT INTO bookings (id, status, offering_id, offering_title, customer_id, customer_name, customer_email, subtotal_cents, discount_cents, tax_cents, total_cents, currency, starts_at, created_at, updated_at, version, risk_review_status)
     VALUES (?, ?, ?, 'Soho Loft', 'cus_1', 'Ana García', 'ana@example.com', 1000, 0, 0, 1000, 'USD', ?, ?, ?, 1, ?)`,
  );
  const item = db.prepare('INSERT INTO booking_items (id, booking_id, position, offering_id, starts_at, ends_at, quantity, price_cents) VALUES (?, ?, 0, ?, ?, ?, 1, 1000)');
  const flag = db.prepare("INSERT INTO rule_runs (rule_id, revision, booking_id, outcome, reasons, intent_id, rule_name, day, at) VALUES ('rul_1', 1, ?, 'flagged', '[]', NULL, 'Look', '2030-01-01', ?)");
  const now = Date.now();
  c.core.replica.transaction(() => {
    for (let i = 0; i < N; i++) {
      const start = startOf(i, now);
      const created = new Date(Date.UTC(2029, 0, 1) + i * 60_000).toISOString();
      const offering = i % 3 === 0 ? 'off_a' : 'off_b';
      booking.run(id(i), i < N - 8 ? 'PENDING' : 'CONFIRMED', offering, start, created, created, i % 7 === 0 ? 'HELD' : null);
      if (start) item.run(`itm_${i}`, id(i), offering, start, new Date(Date.parse(start) + HOUR).toISOString());
      if (i % 5 === 0) flag.run(id(i), created);
    }
  });
});

afterAll(async () => {
  await c?.core.close();
  rmSync(dir, { recursive: true, force: true });
});

type Filters = Omit<MethodInput<'queue.window'>, 'cursor' | 'limit'>;

/**
 * The counts by a direct SQL count: every booking whose status as the UI sees it (overlay over truth)
 * is PENDING, at its start as the UI sees it, filtered as queue.window filters.
 */
function sqlCounts(f: Filters): { total: number; held: number; flagged: number; groups: Record<QueueGroup, number> } {
  const b = groupBounds(Date.now(), tenantTimeZone(c.core.replica));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const where = ["COALESCE(o.status, b.status) = 'PENDING'"];
  const params: unknown[] = [];
  const start = 'COALESCE(o.starts_at, b.starts_at)';
  if (f.offeringIds) {
    where.push(`b.offering_id IN (${f.offeringIds.map(() => '?').join(',')})`);
    params.push(...f.offeringIds);
  }
  if (f.risk === 'held') where.push("b.risk_review_status = 'HELD'");
  if (f.risk === 'clear') where.push("b.risk_review_status IS NOT 'HELD'");
  const flaggedSql = "EXISTS (SELECT 1 FROM rule_runs r WHERE r.booking_id = b.id AND r.outcome = 'flagged')";
  if (f.flagged) where.push(flaggedSql);
  if (f.from) {
    where.push(`${start} >= ?`);
    params.push(f.from);
  }
  if (f.to) {
    where.push(`${start} < ?`);
    params.push(f.to);
  }
  const row = c.core.replica.sqlite
    .prepare(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE b.risk_review_status = 'HELD') AS held,
              count(*) FILTER (WHERE ${flaggedSql}) AS flagged,
              count(*) FILTER (WHERE ${start} < ?) AS past,
              count(*) FILTER (WHERE ${start} >= ? AND ${start} < ?) AS today,
              count(*) FILTER (WHERE ${start} >= ? AND ${start} < ?) AS tomorrow,
              count(*) FILTER (WHERE ${start} >= ? AND ${start} < ?) AS week,
              count(*) FILTER (WHERE ${start} >= ? OR ${start} IS NULL) AS later
       FROM bookings b LEFT JOIN booking_overlay o ON o.booking_id = b.id WHERE ${where.join(' AND ')}`,
    )
    .get(iso(b.now), iso(b.now), iso(b.tomorrow), iso(b.tomorrow), iso(b.dayAfter), iso(b.dayAfter), iso(b.weekEnd), iso(b.weekEnd), ...params) as Record<string, number>;
  return { total: row['total']!, held: row['held']!, flagged: row['flagged']!, groups: { past: row['past']!, today: row['today']!, tomorrow: row['tomorrow']!, week: row['week']!, later: row['later']! } };
}

const now = Date.now();
const filterSets: Filters[] = [
  { sort: 'waiting', risk: 'all' },
  { sort: 'starting', risk: 'held' },
  { sort: 'waiting', risk: 'clear' },
  { sort: 'waiting', risk: 'all', flagged: true },
  { sort: 'starting', risk: 'all', offeringIds: ['off_a'] },
  { sort: 'starting', risk: 'all', from: new Date(now - DAY).toISOString(), to: new Date(now + 7 * DAY).toISOString() },
];

/** Every filter's window counts against the SQL count. */
async function expectCountsMatch(when: string): Promise<void> {
  for (const f of filterSets) {
    const w = await c.call('queue.window', { ...f, limit: 5 });
    const want = sqlCounts(f);
    expect({ when, f, total: w.total, held: w.counts.held, flagged: w.counts.flagged, groups: w.counts.groups }).toEqual({ when, f, ...want });
  }
}

/** The SQL texts the replica is asked to run while `fn` runs (the real statements, observed). */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const replica = c.core.replica;
  const real = replica.stmt.bind(replica);
  const seen: string[] = [];
  replica.stmt = (text: string) => (seen.push(text), real(text));
  try {
    await fn();
  } finally {
    replica.stmt = real;
  }
  return seen;
}
const truthRecount = (texts: string[]): number => texts.filter((t) => t.startsWith("SELECT count(*) AS n FROM bookings b WHERE b.status = 'PENDING'")).length;

describe('the queue counts equal a direct SQL count', () => {
  it('through approvals, declines, a reschedule, undo and changes of truth, for every filter', async () => {
    await expectCountsMatch('at start');
    const approved = [id(0), id(2), id(7), id(10)]; // held and flagged, later, held, flagged
    const intents: string[] = [];
    for (const b of approved) intents.push((await c.call('bookings.approve', { id: b })).intentId!);
    await expectCountsMatch('after approvals');
    await c.call('bookings.cancel', { id: id(1), reason: 'declined' });
    await c.call('bookings.cancel', { id: id(15), reason: 'declined' });
    await expectCountsMatch('after declines');
    // Still PENDING with a queued reschedule: from tomorrow's group to later's.
    const far = new Date(now + 40 * DAY).toISOString();
    await c.call('bookings.reschedule', { id: id(8), itemId: 'itm_8', startsAt: far, endsAt: new Date(Date.parse(far) + HOUR).toISOString() });
    await expectCountsMatch('after a reschedule');
    await c.call('intents.undo', { id: intents[0]! });
    await c.call('intents.undo', { id: intents[2]! });
    await expectCountsMatch('after undo');
    // Truth changes as a pull writes them: a booking confirmed, one flagged, one held.
    const db = c.core.replica.sqlite;
    db.prepare("UPDATE bookings SET status = 'CONFIRMED' WHERE id = ?").run(id(4));
    await expectCountsMatch('after a booking confirmed on the server');
    db.prepare("INSERT INTO rule_runs (rule_id, revision, booking_id, outcome, reasons, intent_id, rule_name, day, at) VALUES ('rul_1', 1, ?, 'flagged', '[]', NULL, 'Look', '2030-01-01', '2030-01-01')").run(id(3));
    db.prepare("UPDATE bookings SET risk_review_status = 'HELD' WHERE id = ?").run(id(9));
    await expectCountsMatch('after a flag and a hold');
  });

  it('an approve or its undo does not recount the truth; a change of truth does', async () => {
    const input = { sort: 'waiting' as const, risk: 'all' as const, limit: 5 };
    await c.call('queue.window', input);
    const before = (await c.call('queue.window', input)).total;
    let intentId: string | null = null;
    const afterApprove = await statementsDuring(async () => {
      intentId = (await c.call('bookings.approve', { id: id(11) })).intentId;
      expect((await c.call('queue.window', input)).total).toBe(before - 1);
    });
    expect(truthRecount(afterApprove)).toBe(0);
    const afterUndo = await statementsDuring(async () => {
      await c.call('intents.undo', { id: intentId! });
      expect((await c.call('queue.window', input)).total).toBe(before);
    });
    expect(truthRecount(afterUndo)).toBe(0);
    const afterTruth = await statementsDuring(async () => {
      c.core.replica.sqlite.prepare("UPDATE bookings SET status = 'CONFIRMED' WHERE id = ?").run(id(13));
      expect((await c.call('queue.window', input)).total).toBe(before - 1);
    });
    expect(truthRecount(afterTruth)).toBeGreaterThan(0);
  });
});
