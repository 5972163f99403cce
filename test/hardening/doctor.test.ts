/**
 * Issue #15: a backup before each migration, and `orkestr-console doctor` checking a damaged
 * replica, exporting its unsent actions and restoring the newest good backup without losing the
 * actions queued after it. Real CLI processes on real files, damaged by hand.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { readReplica } from '../support/core.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { KEY, sandbox } from '../sync/helpers.ts';

let s: SandboxFixture;

beforeAll(async () => {
  s = await sandbox({ seed: { bookings: 60, offerings: 2 } });
});

afterAll(async () => {
  await s?.dispose();
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const queuedTargets = (db: string): string[] =>
  readReplica(db, (r) => (r.prepare("SELECT target_id FROM outbox WHERE state = 'queued' ORDER BY target_id").all() as Array<{ target_id: string }>).map((x) => x.target_id));

/** Makes the replica look like one the previous build wrote (before the outbox claims migration). */
function downgradeOneMigration(db: string): void {
  const r = new Database(db);
  r.exec("ALTER TABLE outbox DROP COLUMN claimed_by; ALTER TABLE outbox DROP COLUMN claimed_until; DELETE FROM schema_migrations WHERE name = '0009_outbox_claims'");
  r.pragma('wal_checkpoint(TRUNCATE)');
  r.close();
}

/** Garbage over the bookings table's root page: quick_check fails, the outbox stays readable. */
function damageBookings(db: string): void {
  const r = new Database(db);
  r.pragma('wal_checkpoint(TRUNCATE)');
  const page = r.pragma('page_size', { simple: true }) as number;
  const root = (r.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'bookings'").get() as { rootpage: number }).rootpage;
  r.close();
  const bytes = readFileSync(db);
  for (let i = (root - 1) * page; i < root * page; i++) bytes[i] = (i * 131) & 0xff;
  writeFileSync(db, bytes);
}

describe('orkestr-console doctor', { timeout: 240_000 }, () => {
  it('answers --help and refuses wrong usage with 2', async () => {
    const help = await runCli(['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('doctor --db FILE [--restore-latest] [--export-outbox FILE] [--json]');
    expect((await runCli(['doctor'])).code).toBe(2);
    expect((await runCli(['doctor', '--db', 'x.db', '--bogus'])).code).toBe(2);
  });

  it('a backup before a migration; a damaged replica is reported, its outbox exported, the backup restored with the later actions', async () => {
    const db = join(s.dir, 'doctor.db');
    expect((await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db])).code).toBe(0);
    const [a, b] = readReplica(db, (r) => r.prepare("SELECT id FROM bookings WHERE status = 'PENDING' ORDER BY id LIMIT 2").all() as Array<{ id: string }>);
    expect((await runCli(['approve', a!.id, '--db', db])).code).toBe(0);

    downgradeOneMigration(db);
    const status = await runCli(['status', '--db', db]);
    expect(status.code, status.stderr).toBe(0);
    const backups = readdirSync(join(s.dir, 'backups')).filter((f) => f.startsWith('doctor.db.'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/\.migration\.db$/);
    const backupFile = join(s.dir, 'backups', backups[0]!);
    expect(mode(backupFile)).toBe('600');
    expect(queuedTargets(backupFile)).toEqual([a!.id]);

    const sound = await runCli(['doctor', '--db', db]);
    expect(sound.code, sound.stdout + sound.stderr).toBe(0);
    expect(sound.stdout).toContain(': sound');

    // Queued after the backup: only the damaged file has it.
    expect((await runCli(['approve', b!.id, '--db', db])).code).toBe(0);
    damageBookings(db);
    const refused = await runCli(['status', '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is damaged');

    const report = await runCli(['doctor', '--db', db, '--json']);
    expect(report.code).toBe(1);
    const parsed = JSON.parse(report.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(parsed.checks.find((c) => c.name === 'integrity')).toMatchObject({ ok: false });

    const out = join(s.dir, 'unsent.json');
    const exported = await runCli(['doctor', '--db', db, '--export-outbox', out]);
    expect(exported.stdout).toContain('exported 2 unsent action(s)');
    expect(mode(out)).toBe('600');
    const file = JSON.parse(readFileSync(out, 'utf8')) as { intents: Array<{ target_id: string; idempotency_key: string }> };
    expect(file.intents.map((i) => i.target_id).sort()).toEqual([a!.id, b!.id].sort());

    const restored = await runCli(['doctor', '--db', db, '--restore-latest']);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(restored.stdout).toContain('1 unsent action(s) from it queued again');
    const aside = /kept as (\S+)/.exec(restored.stdout)![1]!;
    expect(existsSync(aside)).toBe(true);
    expect(queuedTargets(db)).toEqual([a!.id, b!.id].sort());
    expect(mode(db)).toBe('600');
    // And the restored replica sends both.
    const sync = await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db]);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout).toContain('sent 2');
  });

  it('an emptied replica: nothing to export, said so; restored from its backup', async () => {
    const db = join(s.dir, 'emptied.db');
    expect((await runCli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db])).code).toBe(0);
    downgradeOneMigration(db);
    expect((await runCli(['status', '--db', db])).code).toBe(0);
    writeFileSync(db, '');
    const exported = await runCli(['doctor', '--db', db, '--export-outbox', join(s.dir, 'none.json')]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('Nothing to export');
    expect(exported.stderr).not.toMatch(/\n\s+at /);
    const restored = await runCli(['doctor', '--db', db, '--restore-latest']);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect((await runCli(['status', '--db', db])).code).toBe(0);
  });
});
