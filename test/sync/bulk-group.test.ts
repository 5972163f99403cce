// A pull's group commit (Replica.bulk, db/bulk-settings.ts): what it changes on the connection for
// its transaction, that it gives the connection back as intents need it, and that a large WAL is let
// start over between groups (Replica.restartWalIfOver). Real SQLite files, the real checkpoint worker.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { walBytes } from '../../src/main/core/db/checkpointer.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulk-group-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FULL = 2;
const MEMORY = 2;
const DEFAULT = 0;

const open: Replica[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) {
    await r.stopBackgroundCheckpoints();
    r.close();
  }
});
function replica(name: string): Replica {
  const r = new Replica(join(dir, name));
  open.push(r);
  return r;
}
const setting = (r: Replica, name: string): unknown => r.sqlite.pragma(name, { simple: true });
const writeMeta = (r: Replica, n: number, size = 64): void => {
  for (let i = 0; i < n; i++) r.setMeta(`k${i}`, 'x'.repeat(size));
};

describe("a pull's group commit", () => {
  it('keeps statement journals in memory while open, and gives the connection back with synchronous=FULL and file temp storage', () => {
    const r = replica('settings.db');
    expect(r.bulk(() => [setting(r, 'temp_store'), setting(r, 'synchronous')])).toEqual([MEMORY, 1]);
    r.flushBulk();
    expect([setting(r, 'temp_store'), setting(r, 'synchronous')]).toEqual([DEFAULT, FULL]);
    expect(() => r.bulk(() => {
      throw new Error('a page that fails');
    })).toThrow('a page that fails');
    expect([setting(r, 'temp_store'), setting(r, 'synchronous')]).toEqual([DEFAULT, FULL]);
  });

  it('leaves synchronous=FULL when its BEGIN finds the write lock taken (the next intent must be durable)', () => {
    const r = replica('busy.db');
    r.sqlite.pragma('busy_timeout = 20');
    const other = new Database(r.file);
    try {
      other.exec('BEGIN IMMEDIATE');
      expect(() => r.bulk(() => r.setMeta('a', 'b'))).toThrow(/locked|busy/i);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect([setting(r, 'synchronous'), setting(r, 'temp_store')]).toEqual([FULL, DEFAULT]);
    r.transaction(() => r.setMeta('a', 'b'));
    expect(r.getMeta('a')).toBe('b');
  });

  it('lets a WAL over the bound start over: the group is committed, the worker copies the WAL back, and the file is cut to the bound', async () => {
    const r = replica('wal.db');
    r.startBackgroundCheckpoints();
    r.bulk(() => writeMeta(r, 4000, 1000));
    r.flushBulk();
    r.bulk(() => r.setMeta('open', '1')); // a group left open, as between pull pages
    expect(await r.restartWalIfOver(1 << 30)).toBe(false); // under the bound: nothing to do
    expect(r.sqlite.inTransaction).toBe(true);
    const before = walBytes(r.file);
    expect(before).toBeGreaterThan(1 << 20);
    expect(await r.restartWalIfOver(256 * 1024)).toBe(true);
    expect(r.sqlite.inTransaction).toBe(false); // the open group was committed
    expect(r.getMeta('k3999')).toBe('x'.repeat(1000));
    // The next write goes to the WAL's beginning, and its commit cuts the file to the bound.
    r.bulk(() => r.setMeta('after', '1'));
    r.flushBulk();
    expect(walBytes(r.file)).toBeLessThanOrEqual(256 * 1024);
    const reader = new Database(r.file, { readonly: true });
    try {
      expect(reader.prepare("SELECT key FROM meta WHERE key IN ('open', 'after', 'k3999') ORDER BY key").pluck().all()).toEqual(['after', 'k3999', 'open']);
    } finally {
      reader.close();
    }
  });
});
