/**
 * The pull's pages written by the apply worker (src/main/core/sync/apply-worker.ts) from its own
 * connection, against the real sandbox over HTTP, through the contract: the engine's thread answers
 * calls while the worker holds an open group, an approve made then lands in the outbox durably at
 * once (the worker commits for it), and the changed records reach the engine's side (events, ids)
 * once their group is committed. The worker's test seam `holdAfterPages` keeps its group open after
 * a page until `release()`, so nothing here depends on timing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplyWorker } from '../../src/main/core/sync/apply-host.ts';
import { countRows, openCore, readReplica, type TestCore } from '../support/core.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from './helpers.ts';

let s: SandboxFixture;
const cores: TestCore[] = [];
const workers: ApplyWorker[] = [];

function open(holdAfterPages?: number): { c: TestCore; worker: ApplyWorker | null } {
  const c = openCore({ dbFile: join(s.dir, 'replica.db'), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  cores.push(c);
  // The core keeps a worker set before start (ConsoleCore.start: `??=`).
  const worker = holdAfterPages === undefined ? null : new ApplyWorker(c.core.replica, { holdAfterPages });
  if (worker) {
    c.core.engine.puller.applyWorker = worker;
    workers.push(worker);
  }
  return { c, worker };
}

/** Whether some connection holds the replica's write lock (another process would have to wait). */
function writeLocked(file: string): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    if (/locked|busy/i.test(String(error))) return true;
    throw error;
  } finally {
    db.close();
  }
}

const synced = (c: TestCore): boolean => c.eventsOf('sync.status').some((st, i, all) => i === all.length - 1 && st.connection === 'online') && readReplica(c.dbFile, (db) => !!db.prepare("SELECT 1 FROM meta WHERE key = 'lastSyncAt'").get());

beforeEach(async () => {
  s = await sandbox();
});

afterEach(async () => {
  // A test that failed while the worker held its group: let the pull end.
  for (const w of workers.splice(0)) w.release();
  for (const c of cores.splice(0)) await c.core.close();
  await s.dispose();
});

describe('the pull applied on a worker thread', () => {
  it('answers calls while the worker holds an open group; the records are announced with their ids once it commits', async () => {
    const { c, worker } = open(1);
    await worker!.warm();
    c.core.start();
    // The first page (offerings) is applied in a group the worker keeps open.
    await waitFor(() => writeLocked(c.dbFile), 'the worker holding its group open');
    const offeringIds = (await s.listAll<{ id: string }>('/api/offerings?status=ALL&includeDeleted=true')).map((o) => o.id);
    // Answered from the engine's connection meanwhile: the group's rows are not committed yet.
    expect((await c.call('bookings.list', { offset: 0, limit: 1 })).total).toBe(0);
    expect(await c.call('session.info')).toBeTruthy();
    expect(writeLocked(c.dbFile)).toBe(true);
    expect(countRows(c.dbFile, 'offerings')).toBe(0);
    expect(c.eventsOf('data.changed').filter((e) => e.tables.includes('offerings'))).toEqual([]);

    worker!.release();
    await waitFor(() => synced(c), 'the sync to finish');
    expect(countRows(c.dbFile, 'offerings')).toBe(offeringIds.length);
    const announced = c.eventsOf('data.changed').filter((e) => e.tables.includes('offerings')).flatMap((e) => e.ids ?? []);
    expect(new Set(announced)).toEqual(new Set(offeringIds));
    const bookings = await s.listAll<{ id: string }>('/api/bookings');
    expect((await c.call('bookings.list', { offset: 0, limit: 1 })).total).toBe(bookings.length);
    expect(writeLocked(c.dbFile)).toBe(false);
  });

  it('an approve made while the worker holds its group is answered at once and lands in the outbox durably; new PENDING bookings reach queue.new', async () => {
    const first = open();
    expect((await first.c.core.runOnce(30_000)).pulled).toBe(true);
    await first.c.core.close();
    cores.length = 0;
    const created = await s.adminJson<{ id?: string; booking?: { id: string } }>('POST', '/simulate/booking', {});
    const newId = created.id ?? created.booking!.id;

    const { c, worker } = open(1);
    await worker!.warm();
    c.core.start();
    await waitFor(() => writeLocked(c.dbFile), 'the worker holding its group open');
    const target = (await c.call('queue.window', { limit: 10 })).items.find((b) => b.id !== newId)!;
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    // Committed: another connection (another process) sees it while the pull is still held.
    expect(readReplica(c.dbFile, (db) => db.prepare('SELECT kind, target_id AS targetId FROM outbox WHERE id = ?').get(intentId))).toEqual({ kind: 'booking.approve', targetId: target.id });
    expect(c.eventsOf('queue.new').flatMap((e) => e.bookingIds)).not.toContain(newId);

    worker!.release();
    await waitFor(() => c.eventsOf('queue.new').some((e) => e.bookingIds.includes(newId)), 'queue.new with the new booking');
    await waitFor(() => synced(c), 'the sync to finish');
    expect((await c.call('bookings.get', { id: newId }))?.status).toBe('PENDING');
  });

  it('stops once idle for its idleStopMs (its heap and connection let go) and starts again for the next pull', async () => {
    const { c } = open();
    const worker = new ApplyWorker(c.core.replica, { idleStopMs: 20 });
    workers.push(worker);
    await worker.warm();
    await waitFor(() => !worker.running, 'the idle worker to stop');
    expect(worker.ready).toBe(false);
    // The next pull starts it again: a page handed to it is written and reported once committed.
    await worker.warm();
    expect(worker.ready).toBe(true);
    const offerings = await s.listAll<Record<string, unknown>>('/api/offerings?status=ALL&includeDeleted=true');
    const reported: number[] = [];
    const pull = worker.begin((pages) => reported.push(...pages.map((p) => p.rows)));
    await worker.apply(pull, { resource: 'offerings', data: offerings, cursorSupported: false, nextCursor: null, requestCursor: null, finished: true });
    await worker.end(pull);
    expect(reported).toEqual([offerings.length]);
    expect(countRows(c.dbFile, 'offerings')).toBe(offerings.length);
    // Idle again after the pull: it stops again.
    await waitFor(() => !worker.running, 'the worker to stop again once idle');
    await worker.stop();
  });

  it('the availability answer is read and written by the worker, not the engine\'s connection, and announced once committed', async () => {
    // One body for the whole tenant (18.6 MB at 20k offerings), parsed on the engine's loop before: ~250 ms.
    const { c, worker } = open(Infinity);
    await worker!.warm();
    const server = await s.getJson<{ rules: unknown[]; exceptions: unknown[] }>('/api/availability');
    const written = server.rules.length + server.exceptions.length;
    expect(server.rules.length).toBeGreaterThan(20);
    // What another connection sees when the UI hears of it: the whole schedule, committed.
    const seenAtEvent: number[] = [];
    c.core.on((event, payload) => {
      if (event === 'data.changed' && (payload as { tables: string[] }).tables.includes('availability')) seenAtEvent.push(countRows(c.dbFile, 'availability_rules'));
    });
    const changes = c.core.replica.sqlite.prepare('SELECT total_changes()').pluck();
    const before = changes.get() as number;
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(countRows(c.dbFile, 'availability_rules')).toBe(server.rules.length);
    expect(seenAtEvent).toEqual([server.rules.length]);
    // total_changes() counts this connection's writes only (the meta, the cursors): no availability row.
    expect((changes.get() as number) - before).toBeLessThan(written);
  });
});
