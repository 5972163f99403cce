// Retention (settings.retainPastDays, `sync --retain-past-days`): past bookings beyond the window leave
// a real replica in the background; what is still active or has local intents stays; insights and the
// calendar say which window they cover.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBulk } from '../../src/sandbox/index.ts';
import { runCli } from '../support/cli.ts';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'retention-'));
let sbx: SandboxFixture;
const DAYS = 30;
const cutoff = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - DAYS * 86_400_000).toISOString();

interface Counts {
  total: number;
  old: number;
  active: number;
}
const counts = (dbFile: string): Counts =>
  readReplica(dbFile, (db) => ({
    total: (db.prepare('SELECT count(*) FROM bookings').pluck().get() as number) ?? 0,
    // Finished bookings whose every item ended before the cutoff.
    old: db
      .prepare(
        `SELECT count(*) FROM bookings b WHERE b.status IN ('COMPLETED','CANCELLED','REFUNDED')
           AND NOT EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id AND i.ends_at >= ?)`,
      )
      .pluck()
      .get(cutoff) as number,
    active: db.prepare("SELECT count(*) FROM bookings WHERE status IN ('PENDING','CONFIRMED')").pluck().get() as number,
  }));

beforeAll(async () => {
  seedBulk(join(dir, 'sandbox.db'), { bookings: 3_000, offerings: 40 });
  sbx = await startTestSandbox({ dataFile: join(dir, 'sandbox.db') });
}, 120_000);
afterAll(async () => {
  await sbx.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('retention', () => {
  let c: TestCore;
  afterAll(() => c.core.close());

  it('prunes finished bookings past the window in the background, keeps the rest, and says what is covered', async () => {
    c = openCore({ dbFile: join(dir, 'replica.db'), api: { url: sbx.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 60_000 });
    expect((await c.core.runOnce(120_000)).pulled).toBe(true);
    const before = counts(c.dbFile);
    expect(before.total).toBe(3_000);
    expect(before.old).toBeGreaterThan(1_000);
    expect((await c.call('settings.get')).retainPastDays).toBeNull();
    expect((await c.call('insights.get')).window).toEqual({ retainPastDays: null, from: null });

    // An old booking with an intent still to send (a note, held by the undo window) is kept.
    const keep = readReplica(c.dbFile, (db) => db.prepare("SELECT id FROM bookings WHERE status = 'COMPLETED' AND starts_at < ? ORDER BY starts_at LIMIT 1").pluck().get(cutoff) as string);
    await c.call('bookings.setNotes', { id: keep, notes: 'Invoice sent again' });

    expect((await c.call('settings.set', { retainPastDays: DAYS })).retainPastDays).toBe(DAYS);
    await waitFor(() => counts(c.dbFile).old === 1, 'old bookings pruned', 60_000);
    const after = counts(c.dbFile);
    expect(after.active).toBe(before.active);
    expect(after.total).toBe(before.total - before.old + 1);
    expect(readReplica(c.dbFile, (db) => db.prepare('SELECT count(*) FROM bookings WHERE id = ?').pluck().get(keep))).toBe(1);
    // Their items and payments went with them.
    expect(readReplica(c.dbFile, (db) => db.prepare('SELECT count(*) FROM payments WHERE booking_id NOT IN (SELECT id FROM bookings)').pluck().get())).toBe(0);
    expect(c.eventsOf('data.changed').some((e) => e.tables.includes('bookings'))).toBe(true);

    expect((await c.call('insights.get')).window).toEqual({ retainPastDays: DAYS, from: cutoff });
    expect((await c.call('calendar.export', {})).window).toEqual({ retainPastDays: DAYS, from: cutoff });
  });

  it('refuses a window that is not a whole number of days, saying which field', async () => {
    const error = await c.callError('settings.set', { retainPastDays: 0 });
    expect(error.code).toBe('BAD_INPUT');
    expect(JSON.stringify(error)).toContain('retainPastDays');
    expect((await c.call('settings.set', { retainPastDays: null })).retainPastDays).toBeNull();
  });

  it('sync --retain-past-days N prunes before a --once run exits; a bad value is a usage error', async () => {
    const db = join(dir, 'cli.db');
    const r = await runCli(['sync', '--api', sbx.url, '--key', TEST_KEY, '--db', db, '--once', '--retain-past-days', String(DAYS)], { timeoutMs: 180_000 });
    // stderr carries --once's progress lines (sync: …); the outcome is the exit code and the summary.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pull ok, push ok');
    expect(counts(db).old).toBe(0);
    expect(counts(db).active).toBeGreaterThan(0);
    const bad = await runCli(['sync', '--api', sbx.url, '--key', TEST_KEY, '--db', db, '--once', '--retain-past-days', 'ten']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--retain-past-days');
  });
});
