/**
 * The front desk's reads, on a real replica synced from the sandbox over HTTP (issues #13/#16):
 * capacity-aware slot checks, the queue as a keyset-paged window with counts, and full-text search
 * kept in the same transaction as the rows it indexes. Driven through the contract (dispatch).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingView, MethodInput, QueueRow, QueueWindow } from '../../src/shared/contract/types.ts';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';

const KEY = 'ork_frontdsk.abcdefghijklmnopqrstuvwx';
const timeZone = 'America/New_York';

let s: SandboxFixture;
let c: TestCore;
const offerings = new Map<string, string>();

/** The instant of `hh:00` New York time on the first `weekday` (0 = Sunday) at least `days` days from now. */
function nyTime(days: number, weekday: number, hh: number): string {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  for (let d = days; d < days + 8; d++) {
    const day = new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    for (const utcHour of [hh + 4, hh + 5]) {
      const at = new Date(`${day}T${String(utcHour).padStart(2, '0')}:00:00.000Z`);
      const parts = fmt.formatToParts(at);
      const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.find((p) => p.type === 'weekday')!.value);
      if (wd === weekday && Number(parts.find((p) => p.type === 'hour')!.value) === hh) return at.toISOString();
    }
  }
  throw new Error('no such day');
}

async function simulate(offering: string, startsAt: string, status: 'PENDING' | 'CONFIRMED'): Promise<BookingView & { id: string }> {
  return s.adminJson('POST', '/simulate/booking', { offeringId: offerings.get(offering), startsAt, status });
}

const yogaAt = nyTime(150, 1, 7); // a Monday 07:00 class (capacity 14)
const loftAt = nyTime(150, 2, 13); // a Tuesday 13:00 two-hour slot of the Soho Loft (capacity 1)
const ids: Record<string, string> = {};
const later: Array<BookingView & { id: string }> = [];

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo', keys: [KEY] });
  for (const o of await s.listAll<{ id: string; title: string }>('/api/offerings')) offerings.set(o.title, o.id);
  ids['yogaConfirmed'] = (await simulate('Morning Vinyasa Flow', yogaAt, 'CONFIRMED')).id;
  ids['yogaPending'] = (await simulate('Morning Vinyasa Flow', yogaAt, 'PENDING')).id;
  ids['loftConfirmed'] = (await simulate('Soho Loft', loftAt, 'CONFIRMED')).id;
  ids['loftPending'] = (await simulate('Soho Loft', loftAt, 'PENDING')).id;
  ids['loftPending2'] = (await simulate('Soho Loft', loftAt, 'PENDING')).id;
  c = openCore({ dbFile: join(s.dir, 'replica.db'), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 600_000 });
  expect((await c.core.runOnce(60_000)).pulled).toBe(true);
  // Made on the server after the first pull, for the tests that pull again (made here, back to back
  // with the calls above: a keep-alive socket left idle between tests can be reset under load).
  later.push(await simulate('Soho Loft', nyTime(160, 3, 15), 'PENDING'), await simulate('Morning Vinyasa Flow', nyTime(170, 5, 7), 'PENDING'));
});

afterAll(async () => {
  await c?.core.close();
  await s?.dispose();
});

describe('slot checks count places, not bookings', () => {
  it('a yoga class with 14 places is not full at its second booking', async () => {
    const [slot] = await c.call('bookings.slots', { ids: [ids['yogaPending']!] });
    expect(slot).toMatchObject({ bookingId: ids['yogaPending'], state: 'free', capacity: 14, quantity: 1 });
    expect(slot!.confirmedIds).toContain(ids['yogaConfirmed']);
    expect(slot!.taken).toBeGreaterThanOrEqual(1);
    expect(slot!.taken).toBeLessThan(14);
  });

  it('a space with one place is full when it is confirmed, and the other request competes', async () => {
    const [slot] = await c.call('bookings.slots', { ids: [ids['loftPending']!] });
    expect(slot).toMatchObject({ state: 'full', capacity: 1, taken: 1, quantity: 1, confirmedIds: [ids['loftConfirmed']] });
    expect(slot!.competingIds).toEqual([ids['loftPending2']]);
  });

  it('a queued cancel of the confirmed booking frees the space (the UI sees intents)', async () => {
    const { intentId } = await c.call('bookings.cancel', { id: ids['loftConfirmed']!, reason: 'Customer asked to cancel' });
    const [slot] = await c.call('bookings.slots', { ids: [ids['loftPending']!] });
    expect(slot).toMatchObject({ state: 'free', taken: 0 });
    await c.call('intents.undo', { id: intentId! });
    const [again] = await c.call('bookings.slots', { ids: [ids['loftPending']!] });
    expect(again!.state).toBe('full');
  });

  it('the queue row carries the same slot check', async () => {
    const w = await c.call('queue.window', { sort: 'starting', offeringIds: [offerings.get('Soho Loft')!], from: loftAt, limit: 10 });
    const row = w.items.find((r) => r.id === ids['loftPending']);
    expect(row?.slot.state).toBe('full');
    expect(row?.startsAt).toBe(loftAt);
  });
});

/** Every row of the queue, window after window (bounded: at most 200 windows). */
async function walk(input: Parameters<TestCore['call']>[1] & object): Promise<{ rows: QueueRow[]; first: QueueWindow }> {
  const rows: QueueRow[] = [];
  let first: QueueWindow | null = null;
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const w: QueueWindow = await c.call('queue.window', { ...(input as object), limit: 7, ...(cursor ? { cursor } : {}) });
    first ??= w;
    rows.push(...w.items);
    if (w.nextCursor === null) return { rows, first };
    cursor = w.nextCursor;
  }
  throw new Error('more than 200 windows');
}

describe('the queue window', () => {
  it('walks the whole queue by waiting time with a keyset cursor: every row once, oldest first', async () => {
    const all = (await c.call('queue.window', { limit: 1000 })).items;
    const { rows, first } = await walk({ sort: 'waiting' });
    expect(rows.map((r) => r.id)).toEqual(all.map((b) => b.id));
    expect(first.total).toBe(all.length);
    expect(Object.values(first.counts.groups).reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(first.counts.held).toBe(all.filter((b) => b.riskReviewStatus === 'HELD').length);
    expect(first.counts.fullScope).toBe('all');
    expect(first.counts.full).toBe(rows.filter((r) => r.slot.state === 'full').length);
  });

  it('sorts by first start, soonest first, with the tenant-local groups in order', async () => {
    const { rows, first } = await walk({ sort: 'starting' });
    const starts = rows.map((r) => r.startsAt ?? '\uffff');
    expect(starts).toEqual([...starts].sort());
    const order = ['past', 'today', 'tomorrow', 'week', 'later'];
    const groups = rows.map((r) => order.indexOf(r.group));
    expect(groups).toEqual([...groups].sort((a, b) => a - b));
    for (const g of order) expect(rows.filter((r) => r.group === g).length, g).toBe(first.counts.groups[g as keyof typeof first.counts.groups]);
  });

  it('filters by offering, risk and date, and counts what it filtered', async () => {
    const yoga = offerings.get('Morning Vinyasa Flow')!;
    const byOffering = await walk({ sort: 'waiting', offeringIds: [yoga] });
    expect(byOffering.rows.length).toBeGreaterThan(0);
    expect(byOffering.rows.every((r) => r.offeringId === yoga)).toBe(true);
    expect(byOffering.first.total).toBe(byOffering.rows.length);
    const held = await walk({ sort: 'waiting', risk: 'held' });
    const clear = await walk({ sort: 'waiting', risk: 'clear' });
    expect(held.rows.every((r) => r.held)).toBe(true);
    expect(clear.rows.some((r) => r.held)).toBe(false);
    expect(held.first.total + clear.first.total).toBe((await c.call('queue.window', { limit: 1000 })).items.length);
    const from = new Date(Date.parse(yogaAt) - 3_600_000).toISOString();
    const to = new Date(Date.parse(yogaAt) + 3_600_000).toISOString();
    const dated = await walk({ sort: 'starting', from, to });
    expect(dated.rows.map((r) => r.id)).toContain(ids['yogaPending']);
    expect(dated.rows.every((r) => r.startsAt! >= from && r.startsAt! < to)).toBe(true);
  });

  it('leaves out a booking approved locally (its intent not yet sent), and counts it out', async () => {
    const before = await c.call('queue.window', { sort: 'waiting', limit: 1000 });
    const { intentId } = await c.call('bookings.approve', { id: ids['yogaPending']! });
    const after = await c.call('queue.window', { sort: 'waiting', limit: 1000 });
    expect(after.total).toBe(before.total - 1);
    expect(after.items.map((r) => r.id)).not.toContain(ids['yogaPending']);
    await c.call('intents.undo', { id: intentId! });
    const back = await c.call('queue.window', { sort: 'waiting', limit: 1000 });
    expect(back.total).toBe(before.total);
    expect(back.items.map((r) => r.id)).toEqual(before.items.map((r) => r.id));
  });
});

describe('the queue counts follow every change', () => {
  it('a change committed by another process (the CLI) shows in the next window', async () => {
    const before = await c.call('queue.window', { sort: 'waiting', limit: 5 });
    const again = await c.call('queue.window', { sort: 'waiting', limit: 5, cursor: before.nextCursor! });
    expect(again.total).toBe(before.total);
    const db = new Database(c.dbFile);
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare("UPDATE bookings SET status = 'CONFIRMED' WHERE id = ?").run(ids['loftPending2']);
      const after = await c.call('queue.window', { sort: 'waiting', limit: 5 });
      expect(after.total).toBe(before.total - 1);
      db.prepare("UPDATE bookings SET status = 'PENDING' WHERE id = ?").run(ids['loftPending2']);
    } finally {
      db.close();
    }
    expect((await c.call('queue.window', { sort: 'waiting', limit: 5 })).total).toBe(before.total);
  });
});

describe('search', () => {
  it('finds "García" typed without accent or capitals, by name, e-mail, offering and id', async () => {
    const garcia = await c.call('bookings.search', { text: 'garcia', limit: 200 });
    expect(garcia.items.length).toBeGreaterThan(0);
    expect(garcia.items.every((b) => /garc[ií]a/i.test(`${b.customer.name} ${b.customer.email}`))).toBe(true);
    const expected = readReplica(c.dbFile, (db) => (db.prepare("SELECT count(*) AS n FROM bookings WHERE customer_name LIKE '%García%' OR customer_email LIKE '%garcia%'").get() as { n: number }).n);
    expect(garcia.total).toBe(expected);
    const some = garcia.items[0]!;
    expect((await c.call('bookings.search', { text: some.id })).items.map((b) => b.id)).toContain(some.id);
    expect((await c.call('bookings.search', { text: 'soho loft' })).items.every((b) => b.offeringTitle === 'Soho Loft')).toBe(true);
    expect((await c.call('bookings.search', { text: 'AND OR "*' })).total).toBe(0);
  });

  it('bookings.list searches the same index', async () => {
    const list = await c.call('bookings.list', { search: 'GARCÍA', limit: 1000 });
    const search = await c.call('bookings.search', { text: 'garcia', limit: 200 });
    expect(list.total).toBe(search.total);
  });

  it('is kept in the same transaction as the rows: a pulled booking is found at once, its old name no more', async () => {
    const b = later[0]!;
    const name = (b as unknown as { customer: { name: string } }).customer.name;
    expect((await c.core.runOnce(60_000)).pulled).toBe(true);
    const found = await c.call('bookings.search', { text: b.id });
    expect(found.items.map((x) => x.id)).toEqual([b.id]);
    expect(found.items[0]!.customer.name).toBe(name);
    // Every booking in the replica is in the index, and nothing else (FTS5's own integrity check).
    const db = new Database(c.dbFile);
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare("INSERT INTO bookings_fts (bookings_fts, rank) VALUES ('integrity-check', 1)").run();
    } finally {
      db.close();
    }
  });
});

describe('change events name the rows that changed', () => {
  it('an action, its undo, and a pulled page say which bookings changed', async () => {
    const seen = c.events.length;
    const { intentId } = await c.call('bookings.approve', { id: ids['loftPending2']! });
    await c.call('intents.undo', { id: intentId! });
    const changed = c.events.slice(seen).filter((e) => e.event === 'data.changed').map((e) => e.payload as { tables: string[]; ids?: string[] });
    expect(changed).toHaveLength(2);
    for (const e of changed) {
      expect(e.tables).toContain('bookings');
      expect(e.ids).toEqual([ids['loftPending2']]);
    }
    // A booking made on the server after the first pull: the pull that brought it named it.
    const b = later[1]!;
    expect((await c.core.runOnce(60_000)).pulled).toBe(true);
    const pulled = c.events.filter((e) => e.event === 'data.changed').map((e) => e.payload as { tables: string[]; ids?: string[] });
    expect(pulled.find((e) => e.tables.includes('bookings') && e.ids?.includes(b.id))).toBeDefined();
  });
});

describe('bookings.list by keyset', () => {
  type ListInput = MethodInput<'bookings.list'>;
  async function walkList(input: ListInput): Promise<string[]> {
    const ids: string[] = [];
    let page = await c.call('bookings.list', { ...input, limit: 13 });
    ids.push(...page.items.map((b) => b.id));
    for (let i = 0; i < 200 && page.nextCursor; i++) {
      page = await c.call('bookings.list', { ...input, limit: 13, cursor: page.nextCursor });
      ids.push(...page.items.map((b) => b.id));
    }
    expect(page.nextCursor).toBeNull();
    return ids;
  }

  it.each<ListInput>([{}, { status: 'PENDING' }, { status: 'CONFIRMED' }, { search: 'soho' }])('gives the same rows in the same order as one long offset page (%o)', async (input) => {
    const { intentId } = await c.call('bookings.approve', { id: ids['loftPending']! }); // an overlay row among them
    try {
      const all = await c.call('bookings.list', { ...input, limit: 1000 });
      expect(all.total).toBeLessThan(1000);
      expect(await walkList(input)).toEqual(all.items.map((b) => b.id));
    } finally {
      await c.call('intents.undo', { id: intentId! });
    }
  });

  it('refuses a cursor it did not give, naming the field', async () => {
    expect(await c.callError('bookings.list', { cursor: 'not-a-cursor' })).toMatchObject({ code: 'BAD_INPUT', fields: [{ path: 'cursor' }] });
    const w = await c.call('queue.window', { sort: 'waiting', limit: 2 });
    expect(await c.callError('queue.window', { sort: 'starting', cursor: w.nextCursor })).toMatchObject({ code: 'BAD_INPUT', fields: [{ path: 'cursor' }] });
  });
});
