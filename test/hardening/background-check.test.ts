/**
 * Issue #16: a long-lived console checks the replica for damage without paying a whole `quick_check`
 * on its cold start. The tables of local state (outbox, overlay, meta…) are checked on open; the rest
 * in a worker after start. These prove that a damaged replica is still refused: damage in the local
 * state on open, damage elsewhere by the background check (every call refuses from then on, and every
 * later open refuses the file), and that a sound replica is left working. Real files, real page
 * damage, the real worker thread.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type ConsoleCoreOptions } from '../../src/main/core/index.ts';
import { dispatchCall } from '../../src/main/dispatch.ts';

let dir: string;
/** A sound replica with 3,000 activity lines (many pages beyond the local state's few). */
let pristine: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'background-check-'));
  pristine = join(dir, 'pristine.db');
  const core = createCore({ dbFile: pristine, transport: 'bridge', appVersion: 'test' });
  core.replica.setMeta('note', 'kept');
  core.replica.transaction(() => {
    for (let i = 0; i < 3000; i++) core.replica.addActivity({ event: 'booking.confirmed', summary: `Booking ${i} confirmed for a customer with a long enough name`, at: new Date(1_700_000_000_000 + i * 1000).toISOString() });
  });
  void core.close();
  const db = new Database(pristine);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A copy of the pristine replica with garbage written over every page of `table`'s b-tree. */
function damagedCopy(table: string): string {
  const file = join(dir, `replica-${n++}.db`);
  copyFileSync(pristine, file);
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ?').pluck().all(table) as number[];
  db.close();
  expect(pages.length).toBeGreaterThan(0);
  const bytes = readFileSync(file);
  for (const p of pages) for (let i = (p - 1) * pageSize; i < p * pageSize; i++) bytes[i] = (i * 7919) & 0xff;
  writeFileSync(file, bytes);
  return file;
}

const background = (dbFile: string, extra: Partial<ConsoleCoreOptions> = {}): ReturnType<typeof createCore> =>
  createCore({ dbFile, transport: 'bridge', appVersion: 'test', integrityCheck: 'background', integrityCheckDelayMs: 0, ...extra });

describe('damage checks that stay off the cold path', { timeout: 60_000 }, () => {
  it('damage in the local state is refused on open, before the background check', () => {
    const file = damagedCopy('meta');
    expect(() => background(file)).toThrow(/is damaged.*orkestr-console doctor --db/s);
  });

  it('damage elsewhere: found by the background check, then every call refuses and every later open refuses', async () => {
    const file = damagedCopy('activity');
    let damaged!: (error: Error) => void;
    const found = new Promise<Error>((resolve) => (damaged = resolve));
    // Opens: only the local state is checked on the cold path.
    const core = background(file, { onReplicaDamaged: (e) => damaged(e) });
    expect((await dispatchCall(core, 'session.info', {})).ok).toBe(true);
    core.start();
    const error = await found;
    expect(error.message).toMatch(/is damaged/);
    const after = await dispatchCall(core, 'session.info', {});
    expect(after.ok).toBe(false);
    if (!after.ok) {
      expect(after.error.code).toBe('UNAVAILABLE');
      expect(after.error.message).toMatch(/is damaged.*orkestr-console doctor --db/s);
    }
    await core.close();
    expect(existsSync(`${file}.damaged`)).toBe(true);
    // The marker makes the next open check the whole file, in either mode.
    expect(() => background(file)).toThrow(/is damaged/);
    expect(() => createCore({ dbFile: file, transport: 'bridge', appVersion: 'test' })).toThrow(/is damaged/);
    // Put back whole (as doctor --restore-latest does): it opens again and the marker is gone.
    copyFileSync(pristine, file);
    const restored = background(file);
    expect(existsSync(`${file}.damaged`)).toBe(false);
    await restored.close();
  });

  it('a process that closed its core ends by itself once the check has reported', () => {
    const file = join(dir, `replica-${n++}.db`);
    copyFileSync(pristine, file);
    // The bound only turns a hang into a failure (the worker's port kept the process alive before).
    const child = spawnSync(process.execPath, [join(import.meta.dirname, 'background-check-child.ts'), file], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stdout).toContain('closed');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });

  it('a sound replica: the background check finds nothing and calls keep working', async () => {
    const file = join(dir, `replica-${n++}.db`);
    copyFileSync(pristine, file);
    let sound!: () => void;
    const done = new Promise<void>((resolve) => (sound = resolve));
    const core = background(file, {
      log: (line) => {
        if (/replica check: .* is sound/.test(line)) sound();
      },
      onReplicaDamaged: (e) => {
        throw e;
      },
    });
    core.start();
    await done;
    const info = await dispatchCall(core, 'activity.list', {});
    expect(info.ok).toBe(true);
    await core.close();
    expect(existsSync(`${file}.damaged`)).toBe(false);
  });
});
