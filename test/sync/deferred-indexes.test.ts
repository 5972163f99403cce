/**
 * The initial sync loads bookings into empty tables without the random-key secondary indexes and
 * builds them afterwards (docs/sync-engine.md). Whatever point a process stops at, the replica ends
 * with every index: a resumed sync builds what is recorded, and so does opening it for a migration.
 * Driven through the core's hosts' API; what the file holds is read with a connection of its own.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCoreOptions } from '../../src/main/core/index.ts';
import { countRows, openCore, readReplica, type TestCore } from '../support/core.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { KEY, sandbox } from './helpers.ts';

/**
 * The five secondary indexes on random keys (offering, customer) the first load leaves out. The
 * list's start-time indexes stay (start times arrive nearly in order, and bookings.list answers from
 * them while the load runs), and so do items and payments by booking (every booking view reads them).
 */
const DEFERRED = ['booking_items_offering_span', 'booking_items_offering_starts', 'bookings_customer_status', 'bookings_offering_starts', 'bookings_status_offering'];

let s: SandboxFixture;
const cores: TestCore[] = [];
let proxy: RecordingProxy | null = null;

function open(file: string, extra: Partial<ConsoleCoreOptions> = {}): TestCore {
  const c = openCore({ dbFile: join(s.dir, file), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0, ...extra });
  cores.push(c);
  return c;
}

const indexesOf = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
const indexNames = (file: string): string[] => readReplica(file, indexesOf);
/** Indexes recorded as still to build (`deferredIndex:<name>` in meta). */
const recorded = (file: string): string[] =>
  readReplica(file, (db) => (db.prepare("SELECT key FROM meta WHERE key LIKE 'deferredIndex:%' ORDER BY key").all() as Array<{ key: string }>).map((r) => r.key.slice('deferredIndex:'.length)));

let allIndexes: string[];

beforeEach(async () => {
  // More bookings than one page (500), so a load can be cut between pages.
  s = await sandbox({ seed: { bookings: 1100, offerings: 4 } });
  // What a replica has before any sync: every migration's index.
  const fresh = open('fresh.db', { api: { url: 'http://127.0.0.1:9', key: KEY } });
  allIndexes = indexNames(fresh.dbFile);
  await fresh.core.close();
  cores.length = 0;
  expect(allIndexes).toEqual(expect.arrayContaining(DEFERRED));
});

afterEach(async () => {
  for (const c of cores.splice(0)) await c.core.close();
  await proxy?.close();
  proxy = null;
  await s.dispose();
});

/** A first sync cut off after its first page of bookings: what a process killed mid-load leaves. */
async function cutAfterFirstPage(file: string): Promise<void> {
  proxy = await startRecordingProxy(s.url);
  proxy.inject({ method: 'GET', path: /\/v1\/api\/bookings\?limit=500&cursor=/ }, { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'injected' } } }, 1000);
  const cut = open(file, { api: { url: proxy.url, key: KEY } });
  expect((await cut.core.runOnce(3000)).pulled).toBe(false);
  await cut.core.close();
  cores.splice(cores.indexOf(cut), 1);
}

describe('indexes deferred by the initial sync', () => {
  it('the first sync loads without them and ends with every index; later syncs keep them', async () => {
    const c = open('replica.db');
    let missingDuringLoad: string[] = [];
    c.core.on((event) => {
      if (event === 'data.changed' && missingDuringLoad.length === 0 && countRows(c.dbFile, 'bookings') > 0) {
        missingDuringLoad = allIndexes.filter((n) => !indexNames(c.dbFile).includes(n));
      }
    });
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(missingDuringLoad.sort()).toEqual(DEFERRED);
    expect(indexNames(c.dbFile)).toEqual(allIndexes);
    expect(recorded(c.dbFile)).toEqual([]);
    expect(countRows(c.dbFile, 'bookings')).toBe((await s.listAll('/api/bookings')).length);
    const plan = readReplica(c.dbFile, (db) => db.prepare('EXPLAIN QUERY PLAN SELECT id FROM bookings ORDER BY starts_at DESC, id DESC LIMIT 10').all() as Array<{ detail: string }>);
    expect(plan.map((p) => p.detail).join(' ')).toContain('bookings_starts_id');

    // Not empty any more: a later sync drops nothing.
    await s.adminJson('POST', '/simulate/booking', {});
    let missingLater: string[] | null = null;
    c.core.on((event) => {
      if (event === 'data.changed' && missingLater === null) missingLater = allIndexes.filter((n) => !indexNames(c.dbFile).includes(n));
    });
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(missingLater).toEqual([]);
    expect(indexNames(c.dbFile)).toEqual(allIndexes);
  });

  it('a load stopped after its first page leaves a replica readers can use and the next sync completes', async () => {
    await cutAfterFirstPage('cut.db');
    const file = join(s.dir, 'cut.db');
    // A reader in between (the CLI's approve, status) works on the replica as it is.
    expect(countRows(file, 'bookings')).toBe(500);
    expect(recorded(file)).toEqual(DEFERRED);
    expect(indexNames(file)).toEqual(allIndexes.filter((n) => !DEFERRED.includes(n)));

    proxy!.clear();
    const c = open('cut.db');
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(indexNames(file)).toEqual(allIndexes);
    expect(recorded(file)).toEqual([]);
    expect(countRows(file, 'bookings')).toBe((await s.listAll('/api/bookings')).length);
  });

  it('a process stopped while building them (some built, the rest recorded) ends with every index', async () => {
    await cutAfterFirstPage('building.db');
    const file = join(s.dir, 'building.db');
    // As a kill after the first CREATE INDEX committed leaves it: built, and no longer recorded.
    const db = new Database(file);
    const [first] = DEFERRED;
    db.transaction(() => {
      const ddl = (db.prepare('SELECT value FROM meta WHERE key = ?').get(`deferredIndex:${first!}`) as { value: string }).value;
      db.exec(ddl);
      db.prepare('DELETE FROM meta WHERE key = ?').run(`deferredIndex:${first!}`);
    })();
    db.close();
    expect(recorded(file)).toHaveLength(DEFERRED.length - 1);

    proxy!.clear();
    const c = open('building.db');
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(indexNames(file)).toEqual(allIndexes);
    expect(recorded(file)).toEqual([]);
  });

  it('opening a replica with a pending migration builds the recorded indexes first', async () => {
    await cutAfterFirstPage('migrate.db');
    const file = join(s.dir, 'migrate.db');
    expect(recorded(file)).toEqual(DEFERRED);
    // 0004 is idempotent (IF NOT EXISTS): forgetting it makes it pending again.
    const db = new Database(file);
    db.prepare("DELETE FROM schema_migrations WHERE name = '0004_import_tables'").run();
    db.close();
    // Opened offline: no sync, only the migration.
    const c = open('migrate.db', { api: { url: 'http://127.0.0.1:9', key: KEY } });
    expect(indexNames(c.dbFile)).toEqual(allIndexes);
    expect(recorded(c.dbFile)).toEqual([]);
  });
});
