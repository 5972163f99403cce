/**
 * Issue #15, the replica on disk: owner-only files whatever the umask, damage refused with a clear
 * message (never re-created, no raw SqliteError stack), a locked replica names its holder, one
 * long-lived writer per replica. Real files, real modes, real CLI processes, real SIGKILL.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../../src/main/app.ts';
import { repoRoot, runCli, spawnCli } from '../support/cli.ts';
import { callCore } from '../support/core.ts';
import { keychainKeeper, noKeychainKeeper } from '../support/keychain.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from '../sync/helpers.ts';

let s: SandboxFixture;
let dir: string;
let previousUmask: number;

beforeAll(async () => {
  // What most desktops run with: without the fix, files come out 0644 and folders 0755.
  previousUmask = process.umask(0o022);
  dir = await mkdtemp(join(tmpdir(), 'replica-files-'));
  s = await sandbox({ seed: { bookings: 60, offerings: 2 } });
});

afterAll(async () => {
  process.umask(previousUmask);
  await s?.dispose();
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('owner-only files whatever the umask', { timeout: 180_000 }, () => {
  for (const keep of ['plain', 'encrypted'] as const) {
    it(`keep: ${keep}: data folder 0700, replica, WAL, SHM and backups 0600`, async () => {
      const folder = join(dir, `data-${keep}`, 'nested');
      const dbFile = join(folder, 'replica.db');
      const running = await startConsole({ dbFile, transport: 'bridge', secretKeeper: keep === 'plain' ? noKeychainKeeper() : keychainKeeper(), demoLiveSeconds: 0, api: { url: s.url, key: KEY }, firstBackupCheckMs: 0 });
      try {
        const connected = await callCore(running.core, 'settings.connect', { apiUrl: s.url, apiKey: KEY, keep });
        expect(connected.secrets.apiKey).toBe(keep);
        for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) expect({ f, mode: mode(f) }).toEqual({ f, mode: '600' });
        expect(mode(folder)).toBe('700');
        expect(mode(join(dir, `data-${keep}`))).toBe('700');
        // A long-lived process makes the day's backup (checked here at once, normally two minutes after start).
        const backups = await waitForBackup(dbFile);
        expect(mode(backups)).toBe('600');
        expect(mode(join(folder, 'backups'))).toBe('700');
      } finally {
        await running.close();
      }
    });
  }

  it('a replica made by the CLI under umask 022 is owner-only too, and an old 0644 one is tightened', async () => {
    const folder = join(dir, 'cli-data');
    const dbFile = join(folder, 'r.db');
    const sync = await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', dbFile]);
    expect(sync.code, sync.stderr).toBe(0);
    // (its WAL and SHM are gone once the last connection closed; the long-lived case above checks them)
    expect([mode(dbFile), mode(folder)]).toEqual(['600', '700']);
    const old = join(dir, 'old.db');
    const made = new Database(old);
    made.exec('CREATE TABLE made_by_an_older_build (a)');
    made.close();
    expect(mode(old)).toBe('644');
    const status = await runCli(['status', '--db', old]);
    expect(status.code, status.stderr).toBe(0);
    expect(mode(old)).toBe('600');
  });
});

/** The first finished backup of the replica (in backups/ beside it). */
async function waitForBackup(dbFile: string): Promise<string> {
  const folder = join(dbFile, '..', 'backups');
  const name = await waitFor(() => (existsSync(folder) ? readdirSync(folder).find((f) => f.endsWith('.daily.db')) : undefined), `a backup in ${folder}`);
  return join(folder, name);
}

describe('damage is refused with what to do, never re-created', { timeout: 120_000 }, () => {
  const expectRefused = (r: { code: number | null; stderr: string }, pattern: RegExp): void => {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toMatch(/orkestr-console doctor --db/);
    expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /);
  };

  it('a 0-byte replica: status and approve refuse, the file stays 0 bytes', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    expectRefused(await runCli(['status', '--db', file]), /is empty \(0 bytes\)/);
    expectRefused(await runCli(['approve', 'bkg_1', '--db', file]), /is empty \(0 bytes\)/);
    expect(statSync(file).size).toBe(0);
  });

  it('a file that is not SQLite is refused and left as it was', async () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are my notes, not a database\n');
    expectRefused(await runCli(['status', '--db', file]), /is not a SQLite database/);
    expect(readFileSync(file, 'utf8')).toBe('these are my notes, not a database\n');
  });

  it('a corrupted or half-truncated replica: a clear "damaged" message, no stack', async () => {
    const file = join(dir, 'corrupt.db');
    const sync = await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', file]);
    expect(sync.code, sync.stderr).toBe(0);
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const size = statSync(file).size;
    const truncated = join(dir, 'truncated.db');
    writeFileSync(truncated, readFileSync(file).subarray(0, Math.floor(size / pageSize / 2) * pageSize));
    // Garbage over every page but the first (the schema): every table's b-tree is broken.
    const bytes = readFileSync(file);
    for (let i = pageSize; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(file, bytes);
    expectRefused(await runCli(['status', '--db', file]), /is damaged/);
    expectRefused(await runCli(['status', '--db', truncated]), /is damaged/);
  });
});

describe('one writer per replica', { timeout: 180_000 }, () => {
  it('a second continuous sync refuses naming the owner; one-shot commands work alongside; a killed owner is replaced', async () => {
    const file = join(dir, 'owned.db');
    const first = spawnCli(['sync', '--api', s.url, '--key', KEY, '--db', file, '--poll', '3600'], { timeoutMs: 150_000 });
    try {
      await first.waitForOutput(/last=20/, 'the first sync to complete a pull', 90_000);
      const second = await runCli(['sync', '--api', s.url, '--key', KEY, '--db', file]);
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toContain(`in use by another process (PID ${first.pid}: orkestr-console sync --api ${s.url}`);
      const pending = (await s.listAll<{ id: string }>('/api/bookings?status=PENDING'))[0]!;
      const approve = await runCli(['approve', pending.id, '--db', file]);
      expect(approve.code, approve.stderr).toBe(0);
      expect((await runCli(['status', '--db', file])).code).toBe(0);
      expect(existsSync(`${file}.owner`)).toBe(true);
      await first.stop('SIGKILL');
      // The owner file outlived its process: stale, so the next owner takes it.
      expect(existsSync(`${file}.owner`)).toBe(true);
      const next = spawnCli(['sync', '--api', s.url, '--key', KEY, '--db', file, '--poll', '3600'], { timeoutMs: 120_000 });
      await next.waitForOutput(/last=20/, 'the replacement sync to run', 90_000);
      expect(JSON.parse(readFileSync(`${file}.owner`, 'utf8'))).toMatchObject({ pid: next.pid });
      expect((await next.stop('SIGTERM')).code).toBe(0);
      expect(existsSync(`${file}.owner`)).toBe(false);
    } finally {
      await first.stop('SIGKILL');
    }
  });

  it('a replica locked by another process: waits, then says which process holds it', async () => {
    const file = join(dir, 'locked.db');
    expect((await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', file])).code).toBe(0);
    const holderScript = join(dir, 'hold-lock.mjs');
    writeFileSync(
      holderScript,
      `import { createRequire } from 'node:module';
import { acquireWriterLock } from ${JSON.stringify(join(repoRoot, 'src/main/core/db/writer-lock.ts'))};
const Database = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))})('better-sqlite3');
acquireWriterLock(process.argv[2], 'lock-holder (test)');
const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
console.log('holding');
setInterval(() => {}, 1000);
`,
    );
    const holder = spawnCli([file], { script: holderScript, timeoutMs: 60_000 });
    try {
      await holder.waitForOutput(/holding/, 'the lock holder');
      const pending = (await s.listAll<{ id: string }>('/api/bookings?status=PENDING')).at(-1)!;
      const approve = await runCli(['approve', pending.id, '--db', file]);
      expect(approve.code, approve.stderr).toBe(1);
      expect(approve.stderr).toContain(`stayed locked by another process for the whole wait (held by PID ${holder.pid}: lock-holder (test)`);
      expect(approve.stderr).not.toMatch(/SqliteError|\n\s+at /);
    } finally {
      await holder.stop('SIGKILL');
    }
  });
});
