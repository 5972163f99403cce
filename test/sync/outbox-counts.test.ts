/**
 * Issue #16: `Outbox.counts` (behind every `sync.status`) counts queued and held intents from indexes
 * only (outbox_state, and the partial outbox_held of migration 0012): after an import queued 100k
 * intents a SUM over the rows cost ~40 ms a call (bench/import.ts measures that). Here: the counts
 * are right — held means queued with a hold still in the future, a paused batch's far-future hold
 * included, a passed hold or a sent intent not.
 */
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
