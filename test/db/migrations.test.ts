/**
 * The replica's migrations are frozen text, one file each (src/main/core/db/migrations/): a shipped
 * file's hash may never change, the index lists every file in order, and each migration is run by
 * migrate() on a real SQLite file left at the version before it, keeping what that file held.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src/main/core/db/migrations.ts';

const folder = join(import.meta.dirname, '..', '..', 'src', 'main', 'core', 'db', 'migrations');

/**
 * SHA-256 of each shipped migration file (line endings as \n). A failure here means a shipped
 * migration was edited: revert it and append a new migration instead. A new migration adds its line
 * when it ships.
 */
const shipped: Record<string, string> = {
  '0001-replica.ts': '58e075f3bf634382ff0ea6d46247dff8887d8e2c2e7d508b0a877c560a9754a6',
  '0002-relay-rejections.ts': 'aa0daa97d50e76998106d21ef65b3ddd5b9dc78f16b86f7faa746e2b56a2a5f7',
  '0003-booking-list-indexes.ts': 'a9f6f5683af1fd2db4cd5173a77a3303b8e6c68126ef071871613f78675cdffb',
  '0004-import-tables.ts': '4330158b9ec09e6a65881393e24b6d3b72304f778629c14a36a18c8408af48a3',
  '0005-calendar-feeds.ts': 'a3c87b85b9ef4c66b69fe2e43535940af1de2f5b93430ab1c0272d689cc0447e',
  '0006-activity-message.ts': 'f58ef9214f68557e410f29150e5a762bc2d07dfaad33404a3cffde04184db23f',
  '0007-front-desk-search-and-slots.ts': '2e733334c284ac5efca84b2115e4446d58a57b6692869a01755bf95718028716',
  '0008-approval-rules.ts': '05211fa7545b1ec2d1ef22dc30256dcfb5b549bd3663340cffba037e83fe4276',
  '0009-outbox-claims.ts': 'e79c2dd2ace5834138220599f05d43314367c5744b07f4ce9620f45b88c2dcd6',
  '0010-inbox-received-index.ts': '90d3603425434171ce41378ef35bf85e2c4b5a081f18eb151852aaeb4f8d9866',
  '0011-import-staging.ts': 'f6ee578b501e15caa102e03c449a991309919d87ef1097db2e75c28fd99347a6',
  '0012-outbox-held-index.ts': 'd1312636de2b537821e18bd1d053b4434bc69c44c521a79295738bbc5cb42384',
  '0013-search-index-watermark.ts': '9f862d3a971184604525b8011e14bf9fc85bb385efbed351962dca612a073435',
  '0014-outbox-mutation-counter.ts': 'ceaee16f26b6f4e600c170c18f2d345263b096fd4b95c29590bee1815d684220',
  '0015-offerings-title-index.ts': '76b5678fb2b54507fa09e988e3f079f5b90318cd9deefaa50ddb28cde688e30b',
};

const migrationFiles = (): string[] => readdirSync(folder).filter((f) => /^\d{4}-[a-z0-9-]+\.ts$/.test(f)).sort();
const hashOf = (file: string): string => createHash('sha256').update(readFileSync(join(folder, file), 'utf8').replace(/\r\n/g, '\n')).digest('hex');

describe('migration files', () => {
  it('are listed in the index, in order, each named after its file', () => {
    const files = migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.name)).toEqual(files.map((f) => f.replace(/\.ts$/, '').replace(/-/g, '_')));
  });

  it('keep the text they shipped with (hash list)', () => {
    const files = migrationFiles();
    // Every shipped file is still there, unchanged…
    expect(Object.fromEntries(Object.keys(shipped).map((f) => [f, files.includes(f) ? hashOf(f) : 'missing']))).toEqual(shipped);
    // …and every file is either shipped or new (a new one adds its hash to the list when it ships).
    const unknown = files.filter((f) => !(f in shipped));
    expect(unknown.every((f) => f > (Object.keys(shipped).sort().at(-1) ?? ''))).toBe(true);
  });

  it('import nothing but their own folder (the SQL is written out)', () => {
    for (const file of migrationFiles()) {
      const imports = [...readFileSync(join(folder, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(imports.filter((spec) => spec !== 'better-sqlite3' && !/^\.\/[^/]+\.ts$/.test(spec ?? '')), file).toEqual([]);
    }
  });
});

describe('each migration on a replica at the version before', () => {
  const opened: Array<{ dir: string; db: Database.Database }> = [];
  afterEach(() => {
    for (const { dir, db } of opened.splice(0)) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A replica file as a build that shipped the first `count` migrations left it. */
  function replicaAt(count: number): Database.Database {
    const dir = mkdtempSync(join(tmpdir(), 'orkestr-migrations-'));
    const file = new Database(join(dir, 'replica.db'));
    file.pragma('journal_mode = WAL');
    file.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of migrations.slice(0, count)) {
      file.transaction(() => {
        m.up(file);
        file.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(m.name, '2026-01-01T00:00:00.000Z');
      })();
    }
    opened.push({ dir, db: file });
    return file;
  }

  const tables = (d: Database.Database): string[] => (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  const indexes = (d: Database.Database, table: string): string[] =>
    (d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(table) as Array<{ name: string }>).map((r) => r.name);
  const columns = (d: Database.Database, table: string): string[] => (d.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
  const applied = (d: Database.Database): string[] => (d.prepare('SELECT name FROM schema_migrations ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  const indexOf = (name: string): number => migrations.findIndex((m) => m.name === name);

  const booking = (d: Database.Database, id: string): void => {
    d.prepare(
      `INSERT INTO bookings (id, status, offering_id, offering_title, customer_id, customer_name, customer_email, subtotal_cents, discount_cents, tax_cents, total_cents, currency, starts_at, created_at, updated_at, version)
       VALUES (?, 'PENDING', 'off_1', 'Kayak', 'cus_1', 'Ana', 'ana@example.com', 1000, 0, 0, 1000, 'USD', '2026-05-01T10:00:00.000Z', '2026-04-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 1)`,
    ).run(id);
  };

  it('0001_replica creates the replica on an empty file', () => {
    const d = replicaAt(indexOf('0001_replica'));
    migrate(d);
    expect(tables(d)).toEqual(expect.arrayContaining(['meta', 'sync_state', 'offerings', 'bookings', 'booking_items', 'outbox', 'conflicts', 'booking_overlay', 'activity', 'inbox', 'id_map']));
    expect(applied(d)).toEqual(migrations.map((m) => m.name));
  });

  it('0002_relay_rejections adds the refusals table and keeps the bookings', () => {
    const d = replicaAt(indexOf('0002_relay_rejections'));
    booking(d, 'bkg_1');
    migrate(d);
    expect(columns(d, 'relay_rejections')).toEqual(['id', 'at', 'seq', 'delivery_id', 'event', 'reason', 'body_sha256']);
    expect(d.prepare('SELECT id FROM bookings').all()).toEqual([{ id: 'bkg_1' }]);
  });

  it('0003_booking_list_indexes replaces the list indexes with id-tied ones, rows kept', () => {
    const d = replicaAt(indexOf('0003_booking_list_indexes'));
    expect(indexes(d, 'bookings')).toEqual(expect.arrayContaining(['bookings_status_created', 'bookings_status_starts', 'bookings_starts']));
    booking(d, 'bkg_1');
    booking(d, 'bkg_2');
    migrate(d);
    const now = indexes(d, 'bookings');
    expect(now).toEqual(expect.arrayContaining(['bookings_status_created_id', 'bookings_status_starts_id', 'bookings_starts_id', 'bookings_offering_starts']));
    expect(now).not.toContain('bookings_status_created');
    expect(now).not.toContain('bookings_starts');
    expect(d.prepare('SELECT count(*) AS n FROM bookings').get()).toEqual({ n: 2 });
  });

  it('0004_import_tables adds the importer tables, and keeps those an older importer made itself', () => {
    const d = replicaAt(indexOf('0004_import_tables'));
    expect(tables(d)).not.toContain('import_batches');
    // The importer created its tables with IF NOT EXISTS before they had a migration.
    d.exec(`CREATE TABLE import_batches (id TEXT PRIMARY KEY, file_name TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL,
              created INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rules INTEGER NOT NULL)`);
    d.prepare("INSERT INTO import_batches VALUES ('ib_1', 'catalogue.csv', '2026-01-02T00:00:00.000Z', 'committed', 2, 0, 0, 3)").run();
    migrate(d);
    expect(tables(d)).toEqual(expect.arrayContaining(['import_batches', 'import_rules']));
    expect(indexes(d, 'import_rules')).toContain('import_rules_offering');
    expect(d.prepare('SELECT id, file_name FROM import_batches').all()).toEqual([{ id: 'ib_1', file_name: 'catalogue.csv' }]);
  });

  it('0005_calendar_feeds adds the feeds table, and keeps feeds a bare handle created before', () => {
    const d = replicaAt(indexOf('0005_calendar_feeds'));
    expect(tables(d)).not.toContain('calendar_feeds');
    migrate(d);
    expect(columns(d, 'calendar_feeds')).toEqual(['id', 'name', 'token_sha256', 'filters', 'publish', 'publish_key', 'retired_publish_key', 'published_etag', 'created_at', 'updated_at', 'revoked_at']);
    // Its DDL is IF NOT EXISTS: a file where the table was already made keeps its rows.
    const again = replicaAt(indexOf('0005_calendar_feeds'));
    migrations[indexOf('0005_calendar_feeds')]!.up(again);
    again.prepare("INSERT INTO calendar_feeds (id, name, token_sha256, filters, publish_key, created_at, updated_at) VALUES ('cf_1', 'Desk', 'aa', '{}', 'pk_1', 'x', 'x')").run();
    migrate(again);
    expect(again.prepare('SELECT id FROM calendar_feeds').all()).toEqual([{ id: 'cf_1' }]);
  });

  it('0006_activity_message adds the message column; older activity keeps its text and no message', () => {
    const d = replicaAt(indexOf('0006_activity_message'));
    d.prepare("INSERT INTO activity (id, at, event, summary, booking_id) VALUES ('act_1', '2026-01-01T00:00:00.000Z', 'booking.created', 'New booking from Ana', 'bkg_1')").run();
    migrate(d);
    expect(columns(d, 'activity')).toContain('message');
    expect(d.prepare('SELECT summary, message FROM activity').get()).toEqual({ summary: 'New booking from Ana', message: null });
    expect(applied(d).at(-1)).toBe(migrations.at(-1)?.name);
  });

  it('0007_front_desk_search_and_slots indexes the bookings already there for full-text search, accents folded', () => {
    const d = replicaAt(indexOf('0007_front_desk_search_and_slots'));
    booking(d, 'bkg_before');
    d.prepare("UPDATE bookings SET customer_name = 'Ana García' WHERE id = 'bkg_before'").run();
    migrate(d);
    const match = (q: string): unknown[] => d.prepare('SELECT b.id FROM bookings_fts f JOIN bookings b ON b.rowid = f.rowid WHERE bookings_fts MATCH ?').all(q);
    expect(match('garcia')).toEqual([{ id: 'bkg_before' }]);
    // Kept by triggers from then on: a renamed customer is found by the new name only.
    d.prepare("UPDATE bookings SET customer_name = 'Ana Núñez' WHERE id = 'bkg_before'").run();
    expect(match('garcia')).toEqual([]);
    expect(match('nunez')).toEqual([{ id: 'bkg_before' }]);
    expect(indexes(d, 'booking_items')).toContain('booking_items_offering_span');
  });

  it('0008_approval_rules adds the rules and their runs, and the returning-customer index; bookings stay', () => {
    const d = replicaAt(indexOf('0008_approval_rules'));
    booking(d, 'bkg_kept');
    migrate(d);
    expect(tables(d)).toEqual(expect.arrayContaining(['rules', 'rule_runs']));
    expect(columns(d, 'rules')).toEqual(['id', 'position', 'name', 'definition', 'format_version', 'enabled', 'revision', 'created_at', 'updated_at']);
    expect(indexes(d, 'bookings')).toContain('bookings_customer_status');
    expect(d.prepare('SELECT id FROM bookings').all()).toEqual([{ id: 'bkg_kept' }]);
  });

  it('0009_outbox_claims adds the claim columns; queued intents stay queued and unclaimed', () => {
    const d = replicaAt(indexOf('0009_outbox_claims'));
    d.prepare(
      `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts, schema_version)
       VALUES ('int_1', 'int_1', 'booking.approve', 'bkg_1', 'POST', '/bookings/bkg_1/approve', '{}', '{}', 1, 'queued', '2026-01-01T00:00:00.000Z', NULL, 0, 1)`,
    ).run();
    migrate(d);
    expect(d.prepare('SELECT state, claimed_by, claimed_until FROM outbox').get()).toEqual({ state: 'queued', claimed_by: null, claimed_until: null });
  });

  it('0010_inbox_received_index indexes the inbox by arrival for pruning', () => {
    const d = replicaAt(indexOf('0010_inbox_received_index'));
    migrate(d);
    expect(indexes(d, 'inbox')).toContain('inbox_received');
  });

  it('0011_import_staging adds the staging tables, empty; queued intents stay', () => {
    const d = replicaAt(indexOf('0011_import_staging'));
    d.prepare(
      `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts, schema_version)
       VALUES ('int_1', 'int_1', 'booking.approve', 'bkg_1', 'POST', '/bookings/bkg_1/approve', '{}', '{}', 1, 'queued', '2026-01-01T00:00:00.000Z', NULL, 0, 1)`,
    ).run();
    migrate(d);
    expect(tables(d)).toEqual(expect.arrayContaining(['import_staging', 'import_stage_intents', 'import_stage_rules']));
    expect(d.prepare('SELECT count(*) AS n FROM import_staging').get()).toEqual({ n: 0 });
    expect(d.prepare('SELECT id, state FROM outbox').all()).toEqual([{ id: 'int_1', state: 'queued' }]);
  });

  it('0012_outbox_held_index indexes only the held queued intents', () => {
    const d = replicaAt(indexOf('0012_outbox_held_index'));
    migrate(d);
    expect(indexes(d, 'outbox')).toContain('outbox_held');
  });

  it('0013_search_index_watermark keeps the search index whole without a watermark, and only below one', () => {
    const d = replicaAt(indexOf('0013_search_index_watermark'));
    booking(d, 'bkg_before');
    migrate(d);
    const match = (q: string): unknown[] => d.prepare('SELECT b.id FROM bookings_fts f JOIN bookings b ON b.rowid = f.rowid WHERE bookings_fts MATCH ? ORDER BY b.id').all(q);
    const rename = (id: string, name: string): void => void d.prepare('UPDATE bookings SET customer_name = ? WHERE id = ?').run(name, id);
    // No watermark: every row is kept, as 0007's triggers did.
    rename('bkg_before', 'Ana García');
    expect(match('garcia')).toEqual([{ id: 'bkg_before' }]);
    // A watermark at that row: rows above it are left to the builder (db/search-index.ts).
    const first = (d.prepare("SELECT rowid AS r FROM bookings WHERE id = 'bkg_before'").get() as { r: number }).r;
    d.prepare("INSERT INTO meta (key, value) VALUES ('searchIndex.through', ?)").run(String(first));
    booking(d, 'bkg_above');
    rename('bkg_above', 'Ana Núñez');
    rename('bkg_before', 'Ana Núñez');
    expect(match('nunez')).toEqual([{ id: 'bkg_before' }]);
    expect(match('garcia')).toEqual([]);
    // Deletes are counted (the list's total is kept incrementally: bookings/count.ts).
    d.prepare("DELETE FROM bookings WHERE id IN ('bkg_before', 'bkg_above')").run();
    expect(match('nunez')).toEqual([]);
    expect(d.prepare("SELECT value FROM meta WHERE key = 'bookings.deleted'").get()).toEqual({ value: '2' });
  });

  it('0014_outbox_mutation_counter counts changes of state and removals of intents, not appends or other edits', () => {
    const d = replicaAt(indexOf('0014_outbox_mutation_counter'));
    migrate(d);
    const intent = (id: string): void =>
      void d
        .prepare(
          `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts, schema_version)
           VALUES (?, ?, 'booking.approve', ?, 'POST', '/x', '{}', '{}', 1, 'queued', '2026-01-01T00:00:00.000Z', NULL, 0, 1)`,
        )
        .run(id, id, `bkg_${id}`);
    const mutations = (): unknown => (d.prepare("SELECT value FROM meta WHERE key = 'outbox.mutations'").get() as { value: string } | undefined)?.value ?? null;
    intent('int_1');
    intent('int_2');
    d.prepare("UPDATE outbox SET hold_until = '2030-01-01T00:00:00.000Z', attempts = 1 WHERE id = 'int_1'").run();
    d.prepare("UPDATE outbox SET state = 'queued' WHERE id = 'int_1'").run();
    expect(mutations()).toBe(null);
    d.prepare("UPDATE outbox SET state = 'done' WHERE id = 'int_1'").run();
    d.prepare("DELETE FROM outbox WHERE id = 'int_2'").run();
    expect(mutations()).toBe('2');
  });

  it('0015_offerings_title_index lets a page of offerings by title be read without sorting them all', () => {
    const d = replicaAt(indexOf('0015_offerings_title_index'));
    migrate(d);
    expect(indexes(d, 'offerings')).toContain('offerings_title');
    const plan = (d.prepare('EXPLAIN QUERY PLAN SELECT * FROM offerings WHERE deleted_at IS NULL ORDER BY title, id LIMIT 50 OFFSET 100').all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan).toContain('offerings_title');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
