/**
 * The initial sync loads bookings into empty tables without the random-key secondary indexes and
 * builds them afterwards (src/main/core/db/deferred-indexes.ts). Whatever point a process stops at,
 * the replica ends with every index: a resumed sync builds what is recorded, and so does a migration.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../src/main/core/core.ts';
import { DEFERRABLE_INDEXES, buildDeferredIndexNow, deferredIndexes } from '../../src/main/core/db/deferred-indexes.ts';
import { Replica } from '../../src/main/core/replica.ts';
import { KEY, listAll, sandbox, type TestSandbox } from './helpers.ts';

let s: TestSandbox;
const cores: ConsoleCore[] = [];

function openCore(file = 'replica.db'): ConsoleCore {
  const core = new ConsoleCore({ dbFile: join(s.dir, file), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  cores.push(core);
  return core;
}

const indexNames = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

const count = (db: Database.Database, table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

let allIndexes: string[];

beforeEach(async () => {
  s = await sandbox();
  const fresh = new Replica(':memory:');
  allIndexes = indexNames(fresh.sqlite);
  fresh.close();
});

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await s.close();
});

describe('indexes deferred by the initial sync', () => {
  it('the first sync loads without them and ends with every index; later syncs keep them', async () => {
    const core = openCore();
    let missingDuringLoad: string[] = [];
    core.on((event) => {
      if (event === 'data.changed' && missingDuringLoad.length === 0 && count(core.replica.sqlite, 'bookings') > 0) {
        missingDuringLoad = allIndexes.filter((n) => !indexNames(core.replica.sqlite).includes(n));
      }
    });
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    expect(missingDuringLoad.sort()).toEqual([...DEFERRABLE_INDEXES].sort());
    expect(indexNames(core.replica.sqlite)).toEqual(allIndexes);
    expect(deferredIndexes(core.replica.sqlite)).toEqual([]);
    expect(count(core.replica.sqlite, 'bookings')).toBe((await listAll(s, '/api/bookings')).length);
    const plan = core.replica.sqlite.prepare('EXPLAIN QUERY PLAN SELECT id FROM bookings ORDER BY starts_at DESC, id DESC LIMIT 10').all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('bookings_starts_id');

    // Not empty any more: nothing is dropped again.
    await s.admin('POST', '/simulate/booking', {});
    core.replica.setSyncState('bookings', { cursor: null, complete: false });
    expect(core.replica.deferIndexesForInitialLoad()).toBe(0);
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    expect(indexNames(core.replica.sqlite)).toEqual(allIndexes);
  });

  it('a process stopped mid-load (indexes dropped, first page stored) leaves a replica the next sync completes', async () => {
    const file = join(s.dir, 'killed.db');
    const first = new Replica(file);
    expect(first.deferIndexesForInitialLoad()).toBe(DEFERRABLE_INDEXES.length);
    const page = await s.api<{ data: Array<Record<string, unknown>>; nextCursor: string }>('/api/bookings?limit=100');
    first.transaction(() => {
      for (const b of page.data) first.applyRemoteBooking(b as never);
      first.setSyncState('bookings', { cursor: page.nextCursor, addRows: page.data.length });
    });
    first.close();

    // A reader in between (the CLI's approve, status) works on the replica as it is.
    const reader = new Replica(file);
    expect(count(reader.sqlite, 'bookings')).toBe(100);
    expect(deferredIndexes(reader.sqlite).map((d) => d.name).sort()).toEqual([...DEFERRABLE_INDEXES].sort());
    reader.close();

    const core = openCore('killed.db');
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    expect(indexNames(core.replica.sqlite)).toEqual(allIndexes);
    expect(deferredIndexes(core.replica.sqlite)).toEqual([]);
    expect(count(core.replica.sqlite, 'bookings')).toBe((await listAll(s, '/api/bookings')).length);
  });

  it('a process stopped while building them (some built, the rest recorded) ends with every index', async () => {
    const core = openCore('building.db');
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    await core.close();
    // Rewind to "loaded, indexes dropped, one of them built before the kill".
    const db = new Database(join(s.dir, 'building.db'));
    const ddl = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (" + DEFERRABLE_INDEXES.map(() => '?').join(',') + ')').all(...DEFERRABLE_INDEXES) as Array<{ name: string; sql: string }>;
    db.transaction(() => {
      for (const d of ddl) {
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`deferredIndex:${d.name}`, d.sql);
        db.exec(`DROP INDEX ${d.name}`);
      }
    })();
    buildDeferredIndexNow(db, deferredIndexes(db)[0]!);
    expect(deferredIndexes(db)).toHaveLength(DEFERRABLE_INDEXES.length - 1);
    db.close();

    const again = openCore('building.db');
    expect((await again.runOnce(30_000)).pulled).toBe(true);
    expect(indexNames(again.replica.sqlite)).toEqual(allIndexes);
    expect(deferredIndexes(again.replica.sqlite)).toEqual([]);
  });

  it('a pending migration builds recorded indexes first', () => {
    const file = join(s.dir, 'migrate.db');
    const r = new Replica(file);
    expect(r.deferIndexesForInitialLoad()).toBe(DEFERRABLE_INDEXES.length);
    // 0004 is idempotent (IF NOT EXISTS): forgetting it makes it pending again.
    r.sqlite.prepare("DELETE FROM schema_migrations WHERE name = '0004_import_tables'").run();
    r.close();
    const reopened = new Replica(file);
    expect(indexNames(reopened.sqlite)).toEqual(allIndexes);
    expect(deferredIndexes(reopened.sqlite)).toEqual([]);
    reopened.close();
  });
});
