/**
 * Issue #16: `Outbox.counts` (behind every `sync.status`) counts queued and held intents from indexes
 * only (outbox_state, and the partial outbox_held of migration 0012): after an import queued 100k
 * intents a SUM over the rows cost ~40 ms a call (bench/import.ts measures that). Here: the counts
 * are right — held means queued with a hold still in the future, a paused batch's far-future hold
 * included, a passed hold or a sent intent not.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Outbox } from '../../src/main/core/sync/outbox.ts';
import type { Replica } from '../../src/main/core/replica/replica.ts';
import { openReplica, tempDir } from '../import/helpers.ts';

let t: ReturnType<typeof tempDir>;
let replica: Replica;

beforeEach(() => {
  t = tempDir();
  ({ replica } = openReplica(t.dir));
});
afterEach(() => {
  replica.close();
  t.cleanup();
});

it('counts queued and held intents', () => {
  const outbox = new Outbox(replica);
  const add = (n: number, holdMs: number): void => {
    for (let i = 0; i < n; i++) outbox.enqueue({ kind: 'booking.approve', targetId: `bkg_${holdMs}_${i}`, payload: {}, method: 'POST', path: `/api/bookings/bkg_${holdMs}_${i}/approve`, body: null, baseVersion: null, holdMs });
  };
  add(3, 0);
  add(2, 60_000);
  expect(outbox.counts()).toEqual({ queued: 5, held: 2, conflicts: 0 });
  // A hold that has passed no longer counts as held; a paused batch's far-future hold does.
  replica.sqlite.prepare("UPDATE outbox SET hold_until = '2000-01-01T00:00:00.000Z' WHERE target_id = 'bkg_60000_0'").run();
  replica.sqlite.prepare("UPDATE outbox SET hold_until = '9999-12-31T23:59:59.999Z' WHERE target_id = 'bkg_0_0'").run();
  expect(outbox.counts()).toEqual({ queued: 5, held: 2, conflicts: 0 });
  // Sent: neither queued nor held.
  replica.sqlite.prepare("UPDATE outbox SET state = 'done' WHERE target_id IN ('bkg_60000_1', 'bkg_0_0')").run();
  expect(outbox.counts()).toEqual({ queued: 3, held: 0, conflicts: 0 });
});

// The queued count is the last count plus the rows appended after it, while `meta` 'outbox.mutations'
// (migration 0014's triggers) says no intent changed state or went away: here every way it could go
// stale, from this connection and from another process's (the CLI beside the app).
it('keeps the queued count right across appends, changes of state, removals and a rollback, from any connection', () => {
  const outbox = new Outbox(replica);
  const other = new Database(replica.sqlite.name);
  const add = (from: number, n: number): void => {
    for (let i = from; i < from + n; i++) outbox.enqueue({ kind: 'booking.approve', targetId: `bkg_${i}`, payload: {}, method: 'POST', path: `/api/bookings/bkg_${i}/approve`, body: null, baseVersion: null, holdMs: 0 });
  };
  const truth = (): number => (replica.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'queued'").get() as { n: number }).n;
  try {
    add(0, 4);
    expect(outbox.counts().queued).toBe(4);
    add(4, 3);
    expect(outbox.counts().queued).toBe(7);
    // Sent by another process: no new row, one fewer queued.
    other.prepare("UPDATE outbox SET state = 'done' WHERE target_id = 'bkg_1'").run();
    expect(outbox.counts().queued).toBe(6);
    // Appended by the other process, then one of the older ones removed.
    other.prepare("INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, attempts) VALUES ('int_x', 'int_x', 'booking.approve', 'bkg_x', 'POST', '/x', NULL, '{}', NULL, 'queued', '2026-01-01T00:00:00.000Z', 0)").run();
    expect(outbox.counts().queued).toBe(7);
    other.prepare("DELETE FROM outbox WHERE target_id = 'bkg_2'").run();
    expect(outbox.counts().queued).toBe(6);
    // Counted inside a transaction that rolls back: its seqs are handed out again afterwards.
    const rolledBack = replica.sqlite.transaction(() => {
      add(100, 5);
      expect(outbox.counts().queued).toBe(11);
      throw new Error('rolled back');
    });
    expect(() => rolledBack()).toThrow('rolled back');
    other.prepare("UPDATE outbox SET state = 'done' WHERE target_id IN ('bkg_5', 'bkg_6')").run();
    add(200, 2);
    expect(outbox.counts().queued).toBe(truth());
    expect(outbox.counts().queued).toBe(6);
    // Back to queued (a retried refusal) counts again.
    other.prepare("UPDATE outbox SET state = 'queued' WHERE target_id = 'bkg_1'").run();
    expect(outbox.counts().queued).toBe(7);
  } finally {
    other.close();
  }
});
