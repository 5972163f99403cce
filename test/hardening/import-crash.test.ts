/**
 * Issue #15, crash test for import: a real child process commits a 10,000-row catalogue (offerings,
 * weekly rules, one outbox batch) and is SIGKILLed at ≥ 50 random points of that commit. The file is
 * checked once here (analyzeImport, as the wizard and the CLI do); each life commits that plan with
 * the importer's commit (`commitPlan`, what `commitImport` runs), so its time goes to the commit. Each time the
 * replica must hold either nothing of the import or all of it, and the intents queued before it
 * (the outbox) untouched. The kill point is a random delay after the child says "committing",
 * spread over the measured length of one whole commit (plus a little, so some land after it).
 */
import Database from 'better-sqlite3';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { analyzeImport } from '../../src/main/core/import/index.ts';
import { importShape, type ImportShape } from './import-shape.ts';
import { openCore } from '../support/core.ts';
import { spawnCli } from '../support/cli.ts';
import { generateCatalogue, type Generated } from '../import/generate.ts';
import { tempDir } from '../import/helpers.ts';

const CHILD = join(import.meta.dirname, 'import-crash-child.ts');
const KILLS = Number(process.env['IMPORT_CRASH_KILLS'] ?? 50);
const { dir, cleanup } = tempDir();
let csv: string;
let planFile: string;
let gen: Generated;
const base = join(dir, 'base.db');

function shape(file: string): ImportShape {
  const db = new Database(file, { readonly: true });
  try {
    return importShape(db);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  csv = join(dir, 'catalogue.csv');
  gen = await generateCatalogue(csv, { offerings: 1_430, rulesPerOffering: 7 });
  // A replica with a tenant's bookings and three queued approvals (what must survive every kill).
  const c = openCore({ dbFile: base, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  try {
    const r = c.core.replica;
    r.transaction(() => {
      for (const id of ['bkg_a', 'bkg_b', 'bkg_c']) {
        r.applyRemoteBooking({ id, status: 'PENDING', offeringId: 'off_x', offeringTitle: 'X', customer: { id: 'cus_1', name: 'Ann', email: 'ann@example.com' }, items: [], subtotalCents: 0, discountCents: 0, taxCents: 0, totalCents: 0, currency: 'USD', notes: '', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', version: 1 });
      }
    });
    for (const id of ['bkg_a', 'bkg_b', 'bkg_c']) await c.call('bookings.approve', { id });
    // Checked once, against a replica with no offerings yet (every offering is a create).
    const analysis = await analyzeImport({ kind: 'file', path: csv }, { existing: new Map() });
    expect(analysis.view.errorCount).toBe(0);
    planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(analysis.plan));
  } finally {
    await c.core.close();
  }
});

afterAll(cleanup);

async function runChild(db: string, killAfterMs: number | null): Promise<{ killed: boolean; stdout: string; stderr: string; commitMs: number | null }> {
  const child = spawnCli([planFile, db], { script: CHILD, timeoutMs: 120_000 });
  await child.waitForOutput(/committing/, 'the child to start its commit', 110_000);
  if (killAfterMs !== null) {
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    child.child.kill('SIGKILL');
  }
  const r = await child.exited;
  const ms = /committed \d+ in (\d+) ms/.exec(r.stdout)?.[1];
  return { killed: r.signal === 'SIGKILL', stdout: r.stdout, stderr: r.stderr, commitMs: ms ? Number(ms) : null };
}

it(`a 10,000-row import killed at ${KILLS} random points inside its commit leaves nothing or everything, and the outbox intact`, { timeout: 600_000 }, async () => {
  expect(gen.rows).toBeGreaterThanOrEqual(10_000);
  const empty = shape(base);
  expect(empty).toMatchObject({ batches: 0, importIntents: 0 });
  expect(JSON.parse(empty.before)).toHaveLength(3);

  // One whole commit, to know how long it lasts and what "everything" is.
  const full = join(dir, 'full.db');
  copyFileSync(base, full);
  const clean = await runChild(full, null);
  expect(clean.commitMs, clean.stderr).not.toBeNull();
  const everything = shape(full);
  // New offerings are created through the outbox (one intent each), their rules kept with the batch.
  expect(everything.importIntents).toBeGreaterThanOrEqual(gen.offerings);
  expect(everything.rules).toBeGreaterThanOrEqual(gen.rows);
  expect(everything.batches).toBe(1);
  expect(everything.before).toBe(empty.before);

  const outcomes = { nothing: 0, everything: 0, killedMidCommit: 0 };
  const { before: _e, ...none } = empty;
  const { before: _f, ...all } = everything;
  /** One life on its own copy of the replica, killed at a random point of its commit. */
  const life = async (work: string, i: number): Promise<void> => {
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
    copyFileSync(base, work);
    // Spread over the commit (its "committing" line reaches us a moment after it began).
    const at = Math.random() * clean.commitMs!;
    const run = await runChild(work, at);
    const after = shape(work);
    expect(after.before, `kill ${i} at ${at.toFixed(0)} ms: the queued intents`).toBe(empty.before);
    const { before: _b, ...counts } = after;
    expect([JSON.stringify(none), JSON.stringify(all)], `kill ${i} at ${at.toFixed(0)} ms left ${JSON.stringify(counts)}`).toContain(JSON.stringify(counts));
    if (JSON.stringify(counts) === JSON.stringify(none)) outcomes.nothing++;
    else outcomes.everything++;
    if (run.killed && run.commitMs === null) outcomes.killedMidCommit++;
  };
  // Two lives at a time (two cores), until KILLS kills landed before the commit returned (bounded:
  // a kill can land after it).
  for (let i = 0; i < KILLS * 2 && outcomes.killedMidCommit < KILLS; i += 2) {
    await Promise.all([life(join(dir, 'work-a.db'), i), life(join(dir, 'work-b.db'), i + 1)]);
  }
  console.log(`import crash test: kills over a ${clean.commitMs} ms commit: ${outcomes.nothing} left nothing, ${outcomes.everything} everything; ${outcomes.killedMidCommit} before the commit returned`);
  expect(outcomes.killedMidCommit).toBeGreaterThanOrEqual(KILLS);
});
