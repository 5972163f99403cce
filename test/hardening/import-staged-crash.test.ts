/**
 * Issue #16, the staged commit (src/main/core/import/staged.ts) killed with SIGKILL: at fixed points
 * (after a staging step, right after the decision, after a moving step) and at random moments of a
 * whole commit. Before the decision the live tables hold nothing of the import even before any
 * recovery; once the core opens the replica again (ImportService runs the recovery) the replica
 * holds either nothing of the import or all of it — exactly what an uninterrupted commit writes —
 * with the intents queued before it untouched, and no staged rows left behind.
 */
import Database from 'better-sqlite3';
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImport } from '../../src/main/core/import/index.ts';
import { ImportService } from '../../src/main/core/import/service.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { importShape, type ImportShape } from './import-shape.ts';
import { openCore } from '../support/core.ts';
import { spawnCli } from '../support/cli.ts';
import { generateCatalogue } from '../import/generate.ts';
import { tempDir } from '../import/helpers.ts';

const CHILD = join(import.meta.dirname, 'import-staged-crash-child.ts');
const RANDOM_KILLS = Number(process.env['IMPORT_STAGED_CRASH_KILLS'] ?? 12);
const { dir, cleanup } = tempDir();
const base = join(dir, 'base.db');
let planFile: string;

interface Shape extends ImportShape {
  /** Import contents: every intent's target, kind and body, every rule (ids differ between lives). */
  content: string;
  /** Staged rows: in the replica's own stage tables (earlier versions) and in its stage files. */
  staged: number;
  /** Stage files beside the replica (`<replica>-stage-<batch>`, staged.ts). */
  stageFiles: number;
}

const STAGED = 'SELECT (SELECT COUNT(*) FROM import_stage_intents) + (SELECT COUNT(*) FROM import_stage_rules) + (SELECT COUNT(*) FROM import_stage_drops) AS n';

function stageFilesOf(file: string): string[] {
  return readdirSync(dirname(file))
    .filter((f) => f.startsWith(`${basename(file)}-stage-`))
    .map((f) => join(dirname(file), f));
}

function stagedInFile(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(STAGED).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function shape(file: string): Shape {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return {
      ...importShape(db),
      content: JSON.stringify([
        db.prepare("SELECT kind, method, path, body, state FROM outbox WHERE kind NOT LIKE 'booking.%' ORDER BY seq").all(),
        db.prepare('SELECT slug, day_of_week, start_time, end_time, slot_minutes, capacity FROM import_rules ORDER BY id').all(),
      ]),
      staged: n(`SELECT (SELECT COUNT(*) FROM import_staging) + (${STAGED}) AS n`) + stageFilesOf(file).reduce((k, f) => k + stagedInFile(f), 0),
      stageFiles: stageFilesOf(file).length,
    };
  } finally {
    db.close();
  }
}

/** What the core does when it opens the replica again: ImportService recovers a cut commit. */
function reopen(file: string): void {
  const replica = Replica.open(file);
  try {
    new ImportService(replica);
  } finally {
    replica.close();
  }
}

async function runChild(db: string, killAt: string, killAfterMs: number | null = null): Promise<{ killed: boolean; stdout: string; stderr: string }> {
  const child = spawnCli([planFile, db, killAt], { script: CHILD, timeoutMs: 120_000 });
  await child.waitForOutput(/committing/, 'the child to start its commit', 110_000);
  if (killAfterMs !== null) {
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    child.child.kill('SIGKILL');
  }
  const r = await child.exited;
  return { killed: r.signal === 'SIGKILL', stdout: r.stdout, stderr: r.stderr };
}

let none: Shape;
let all: Shape;
let wholeMs = 0;

beforeAll(async () => {
  const csv = join(dir, 'catalogue.csv');
  await generateCatalogue(csv, { offerings: 3_000, rulesPerOffering: 2 });
  // A replica with three queued approvals (what must survive every kill).
  const c = openCore({ dbFile: base, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  try {
    const r = c.core.replica;
    r.transaction(() => {
      for (const id of ['bkg_a', 'bkg_b', 'bkg_c']) {
        r.applyRemoteBooking({ id, status: 'PENDING', offeringId: 'off_x', offeringTitle: 'X', customer: { id: 'cus_1', name: 'Ann', email: 'ann@example.com' }, items: [], subtotalCents: 0, discountCents: 0, taxCents: 0, totalCents: 0, currency: 'USD', notes: '', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', version: 1 });
      }
    });
    for (const id of ['bkg_a', 'bkg_b', 'bkg_c']) await c.call('bookings.approve', { id });
    const analysis = await analyzeImport({ kind: 'file', path: csv }, { existing: new Map() });
    expect(analysis.view.errorCount).toBe(0);
    planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(analysis.plan));
  } finally {
    await c.core.close();
  }
  none = shape(base);
  const full = join(dir, 'full.db');
  copyFileSync(base, full);
  const clean = await runChild(full, 'none');
  // Kills are spread over the commit as the child timed it (from its "committing" line on).
  wholeMs = Number(/committed 3000 in (\d+) ms/.exec(clean.stdout)?.[1] ?? NaN);
  expect(wholeMs, clean.stdout + clean.stderr).toBeGreaterThan(0);
  all = shape(full);
}, 180_000);

afterAll(cleanup);

function fresh(name: string): string {
  const work = join(dir, name);
  for (const f of [work, `${work}-wal`, `${work}-shm`, ...stageFilesOf(work)]) rmSync(f, { force: true });
  copyFileSync(base, work);
  return work;
}

describe('staged import commit killed with SIGKILL', () => {
  it('an uninterrupted staged commit writes everything and leaves no staged rows', () => {
    expect(none).toMatchObject({ batches: 0, importIntents: 0, staged: 0, stageFiles: 0 });
    expect(JSON.parse(none.before)).toHaveLength(3);
    expect(all).toMatchObject({ batches: 1, importIntents: 3_000, staged: 0, stageFiles: 0 });
    expect(all.rules).toBe(6_000);
    expect(all.before).toBe(none.before);
  });

  it('killed after a staging step: nothing in the live tables, and nothing at all after reopening', { timeout: 60_000 }, async () => {
    const work = fresh('stage.db');
    expect((await runChild(work, 'stage:1')).killed).toBe(true);
    const raw = shape(work);
    expect({ ...raw, staged: 0, stageFiles: 0 }).toEqual(none);
    expect(raw.staged).toBeGreaterThan(0);
    // Staged outside the replica: its rows are in a stage file the next open removes.
    expect(raw.stageFiles).toBe(1);
    reopen(work);
    expect(shape(work)).toEqual(none);
  });

  it('killed right after the decision, or after a moving step: everything after reopening', { timeout: 60_000 }, async () => {
    for (const at of ['decided', 'move:1']) {
      const work = fresh(`${at.replace(':', '-')}.db`);
      expect((await runChild(work, at)).killed, at).toBe(true);
      const raw = shape(work);
      expect(raw.batches, at).toBe(1);
      expect(raw.staged, at).toBeGreaterThan(0);
      expect(raw.stageFiles, at).toBe(1);
      reopen(work);
      expect(shape(work), at).toEqual(all);
    }
  });

  it(`killed at ${RANDOM_KILLS} random moments of the commit: nothing or everything after reopening`, { timeout: 300_000 }, async () => {
    const seen = { nothing: 0, everything: 0 };
    for (let i = 0; i < RANDOM_KILLS; i++) {
      const work = fresh(`random-${i % 2}.db`);
      const at = Math.random() * wholeMs;
      await runChild(work, 'none', at);
      reopen(work);
      const after = shape(work);
      expect([JSON.stringify(none), JSON.stringify(all)], `kill ${i} at ${at.toFixed(0)} ms`).toContain(JSON.stringify(after));
      if (JSON.stringify(after) === JSON.stringify(none)) seen.nothing++;
      else seen.everything++;
    }
    console.log(`staged import crash test: ${RANDOM_KILLS} kills over a ${wholeMs.toFixed(0)} ms life: ${seen.nothing} nothing, ${seen.everything} everything`);
  });
});
