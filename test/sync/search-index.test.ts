/**
 * The full-text index of bookings during an initial sync (issue #16, db/search-index.ts): the load
 * writes none of it, it is built afterwards in chunks that raise a watermark, a search meanwhile says
 * it is still indexing, and wherever a process stops — during the load or the build, with bookings
 * changed in between — the next start completes an index that holds exactly the replica's bookings.
 * Driven through the core over a real sandbox; the file is read and altered with connections of its own.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCoreOptions } from '../../src/main/core/index.ts';
import { buildSearchIndexChunk } from '../../src/main/core/db/search-index.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { countRows, openCore, readReplica, type TestCore } from '../support/core.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import { waitFor } from '../support/wait-for.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { KEY, sandbox } from './helpers.ts';

let s: SandboxFixture;
const cores: TestCore[] = [];
let proxy: RecordingProxy | null = null;

function open(file: string, extra: Partial<ConsoleCoreOptions> = {}): TestCore {
  const c = openCore({ dbFile: join(s.dir, file), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0, ...extra });
  cores.push(c);
  return c;
}

/** Bookings in the full-text index (its per-document table; the index itself reads the bookings table). */
const indexed = (db: Database.Database): number => (db.prepare('SELECT count(*) AS n FROM bookings_fts_docsize').get() as { n: number }).n;
const watermark = (db: Database.Database): string | null => (db.prepare("SELECT value FROM meta WHERE key = 'searchIndex.through'").get() as { value: string } | undefined)?.value ?? null;
/**
 * FTS5's own check of a complete index against the bookings table (throws when they differ). It
 * takes a writable connection (the check is a special INSERT); it writes nothing.
 */
function integrity(file: string): void {
  const db = new Database(file);
  try {
    db.prepare("INSERT INTO bookings_fts (bookings_fts, rank) VALUES ('integrity-check', 1)").run();
  } finally {
    db.close();
  }
}
const changes = (db: Database.Database): number => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const matching = (db: Database.Database, q: string): string[] =>
  (db.prepare('SELECT b.id FROM bookings_fts f JOIN bookings b ON b.rowid = f.rowid WHERE bookings_fts MATCH ? ORDER BY b.id').all(q) as Array<{ id: string }>).map((r) => r.id);

beforeEach(async () => {
  // More bookings than one page (500), so a load can be cut between pages.
  s = await sandbox({ seed: { bookings: 1100, offerings: 4 } });
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
  proxy.clear();
}

describe('the search index and the initial sync', () => {
  it('the load indexes nothing, search says it is indexing; the sync ends with every booking indexed', async () => {
    const c = open('replica.db');
    let during: { bookings: number; indexed: number; mark: string | null } | null = null;
    let searchDuring: ReturnType<typeof c.call<'bookings.search'>> | null = null;
    c.core.on((event) => {
      if (event !== 'data.changed' || during) return;
      const seen = readReplica(c.dbFile, (db) => ({ bookings: countRows(c.dbFile, 'bookings'), indexed: indexed(db), mark: watermark(db) }));
      if (seen.bookings === 0) return;
      during = seen;
      searchDuring = c.call('bookings.search', { text: 'a', limit: 5 });
    });
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(during).not.toBeNull();
    expect(during!.indexed).toBe(0);
    expect(during!.mark).toBe('0');
    expect((await searchDuring!)?.indexing).toEqual({ done: 0, total: expect.any(Number) });

    const total = (await s.listAll('/api/bookings')).length;
    readReplica(c.dbFile, (db) => {
      expect(watermark(db)).toBeNull();
      expect(indexed(db)).toBe(total);
    });
    integrity(c.dbFile);
    const one = readReplica(c.dbFile, (db) => db.prepare('SELECT id, customer_name FROM bookings ORDER BY rowid DESC LIMIT 1').get() as { id: string; customer_name: string });
    const found = await c.call('bookings.search', { text: one.customer_name, limit: 200 });
    expect(found.indexing).toBeNull();
    expect(found.items.map((b) => b.id)).toContain(one.id);

    // Complete now: a booking that arrives later is indexed in its own transaction, as before.
    await s.adminJson('POST', '/simulate/booking', { customerName: 'Quirina Late' });
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect((await c.call('bookings.search', { text: 'quirina', limit: 5 })).items.map((b) => b.customer.name)).toEqual(['Quirina Late']);
  });

  it('a process stopped mid-build, with bookings changed meanwhile, leaves an index the next start completes', async () => {
    await cutAfterFirstPage('cut.db');
    const file = join(s.dir, 'cut.db');
    readReplica(file, (db) => {
      expect(watermark(db)).toBe('0');
      expect(indexed(db)).toBe(0);
    });
    // As a kill after the first chunk of the build committed leaves it, then writes from elsewhere
    // (webhooks, the retention pruner) on both sides of the watermark.
    const db = new Database(file);
    try {
      db.transaction(() => buildSearchIndexChunk(db, 200))();
      expect(watermark(db)).toBe('200');
      expect(indexed(db)).toBe(200);
      db.prepare("UPDATE bookings SET customer_name = 'Zebedee Below' WHERE rowid = 10").run();
      db.prepare("UPDATE bookings SET customer_name = 'Zebedee Above' WHERE rowid = 400").run();
      db.prepare('DELETE FROM bookings WHERE rowid IN (5, 450)').run();
      // Only the change below the watermark is in the index so far.
      expect(matching(db, 'zebedee')).toHaveLength(1);
    } finally {
      db.close();
    }

    const c = open('cut.db');
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    readReplica(file, (r) => {
      expect(watermark(r)).toBeNull();
      expect(indexed(r)).toBe(countRows(file, 'bookings'));
      expect(matching(r, 'zebedee')).toHaveLength(2);
    });
    integrity(file);
    expect((await c.call('bookings.search', { text: 'zebedee', limit: 5 })).items.map((b) => b.customer.name).sort()).toEqual(['Zebedee Above', 'Zebedee Below']);
  });

  it('a replica whose index was never built, opened where no server answers, gets it built, and search finds an accented name typed without accents', async () => {
    // A copied replica (the UI bench's) or a console started offline: no pull completes, and the pull
    // was once the only thing that built the index.
    await cutAfterFirstPage('offline.db');
    const file = join(s.dir, 'offline.db');
    const db = new Database(file);
    db.prepare("UPDATE bookings SET customer_name = 'Zoë García-Núñez' WHERE rowid = 420").run();
    db.close();
    const c = open('offline.db', { api: { url: 'http://127.0.0.1:9', key: KEY } });
    // Nothing was built while opening (the engine builds it, in chunks, once started).
    readReplica(file, (r) => expect(watermark(r)).toBe('0'));
    c.core.start();
    await waitFor(() => readReplica(file, (r) => watermark(r) === null), 'the search index built offline');
    readReplica(file, (r) => expect(indexed(r)).toBe(countRows(file, 'bookings')));
    integrity(file);
    const found = await c.call('bookings.search', { text: 'garcia nunez', limit: 5 });
    expect(found.indexing).toBeNull();
    expect(found.items.map((b) => b.customer.name)).toEqual(['Zoë García-Núñez']);
  });

  it('where a checkpoint worker runs, the chunks are written by its connection, not the engine\'s', async () => {
    // FTS5 merges segments when a chunk commits: at 1M rows one commit held the engine's loop 225 ms.
    await cutAfterFirstPage('worker.db');
    const file = join(s.dir, 'worker.db');
    const replica = new Replica(file, 'local-state');
    try {
      replica.startBackgroundCheckpoints();
      const before = changes(replica.sqlite);
      await replica.buildSearchIndex();
      expect(replica.searchIndexState()).toBeNull();
      // total_changes() counts this connection's writes only: the index's rows are not among them.
      expect(changes(replica.sqlite) - before).toBeLessThan(10);
      expect(indexed(replica.sqlite)).toBe(countRows(file, 'bookings'));
    } finally {
      await replica.stopBackgroundCheckpoints();
      replica.close();
    }
    integrity(file);
  });

  it('opening a replica with a pending migration completes the index first', async () => {
    await cutAfterFirstPage('migrate.db');
    const file = join(s.dir, 'migrate.db');
    // 0004 is idempotent (IF NOT EXISTS): forgetting it makes it pending again.
    const db = new Database(file);
    db.prepare("DELETE FROM schema_migrations WHERE name = '0004_import_tables'").run();
    db.close();
    // Opened offline: no sync, only the migration.
    const c = open('migrate.db', { api: { url: 'http://127.0.0.1:9', key: KEY } });
    readReplica(c.dbFile, (r) => {
      expect(watermark(r)).toBeNull();
      expect(indexed(r)).toBe(500);
    });
    integrity(c.dbFile);
  });

  it('the unfiltered list counts every booking exactly as rows come and go', async () => {
    const c = open('count.db');
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    const total = countRows(c.dbFile, 'bookings');
    expect((await c.call('bookings.list', { offset: 0, limit: 10 })).total).toBe(total);
    await s.adminJson('POST', '/simulate/booking', {});
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect((await c.call('bookings.list', { offset: 0, limit: 10 })).total).toBe(total + 1);
    // Another process (the retention pruner, a CLI) deletes some.
    const db = new Database(c.dbFile);
    db.prepare('DELETE FROM bookings WHERE rowid IN (1, 2, 3)').run();
    db.close();
    const first = await c.call('bookings.list', { offset: 0, limit: 10 });
    expect(first.total).toBe(total - 2);
    expect((await c.call('bookings.list', { cursor: first.nextCursor!, limit: 10 })).total).toBe(total - 2);
  });
});
