/**
 * Issue #16, the staged commit (src/main/core/import/staged.ts) in one process, on a real replica:
 * a failure in a step leaves the replica as it was (stage included); a batch whose writer is alive
 * is left alone by the recovery another ImportService runs at open, and cannot be rolled back
 * while it is written; an update that replaces earlier imported rules drops them only when it lands.
 * (SIGKILL at each point: test/hardening/import-staged-crash.test.ts.)
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeImport, commitImport, commitImportStaged, commitPlanStaged } from '../../src/main/core/import/index.ts';
import { ImportService } from '../../src/main/core/import/service.ts';
import type { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';
import type { Replica } from '../../src/main/core/replica/replica.ts';
import { fingerprint, openReplica, seedOffering, tempDir } from './helpers.ts';

let t: ReturnType<typeof tempDir>;
let replica: Replica;
let sink: ReplicaImportSink;

beforeEach(() => {
  t = tempDir();
  ({ replica, sink } = openReplica(t.dir));
});
afterEach(() => {
  replica.close();
  t.cleanup();
});

const HEAD = 'slug,title,product_type,status,base_price,currency,weekday,start_time,end_time,slot_minutes,capacity';

function csv(name: string, rows: string[]): string {
  const file = join(t.dir, name);
  writeFileSync(file, [HEAD, ...rows].join('\n') + '\n');
  return file;
}

const STAGED = 'SELECT (SELECT COUNT(*) FROM import_stage_intents) + (SELECT COUNT(*) FROM import_stage_rules) + (SELECT COUNT(*) FROM import_stage_drops) AS n';
/** Stage files beside the replica (`<replica>-stage-<batch>`, staged.ts). */
const stageFiles = (): string[] => readdirSync(dirname(replica.file)).filter((f) => f.startsWith(`${basename(replica.file)}-stage-`));
/** Rows staged in one stage file, read by a connection of its own. */
function stagedIn(name: string): number {
  const db = new Database(join(dirname(replica.file), name), { readonly: true });
  try {
    return (db.prepare(STAGED).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
/** Staged rows anywhere: the replica's own stage tables (earlier versions), `import_staging`, the stage files. */
const staged = (): number =>
  (replica.sqlite.prepare(`SELECT (SELECT COUNT(*) FROM import_staging) + (${STAGED}) AS n`).get() as { n: number }).n + stageFiles().reduce((n, f) => n + stagedIn(f), 0);
const rows = (n: number, day = 'Mon'): string[] => Array.from({ length: n }, (_, i) => `o${i},Offering ${i},space,,${i + 1},USD,${day},9:00,10:00,60,1`);

describe('staged commit', () => {
  it('a failure inside a step leaves the replica exactly as it was, staging tables included', async () => {
    const analysis = await analyzeImport({ kind: 'file', path: csv('f.csv', rows(500)) }, { existing: sink.loadExisting() });
    const before = fingerprint(replica);
    await expect(
      commitPlanStaged(analysis.plan, 0, sink, {
        batchId: 'imp_fail',
        fileName: 'f.csv',
        afterEach: (slug) => {
          if (slug === 'o400') throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(fingerprint(replica)).toBe(before);
    expect(staged()).toBe(0);
    expect(stageFiles()).toEqual([]);
  });

  it("stages in a scratch file beside the replica, not in the replica's tables nor its WAL; the file is gone once the batch has moved in", async () => {
    const analysis = await analyzeImport({ kind: 'file', path: csv('w.csv', rows(2000)) }, { existing: sink.loadExisting() });
    replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const wal = (): number => statSync(`${replica.file}-wal`).size;
    let atDecision: { files: string[]; inFile: number; inReplica: number; wal: number } | null = null;
    await commitImportStaged(analysis, sink, {
      batchId: 'imp_file',
      afterStep: (phase) => {
        if (phase !== 'decided') return;
        const files = stageFiles();
        atDecision = { files, inFile: files.reduce((n, f) => n + stagedIn(f), 0), inReplica: (replica.sqlite.prepare(STAGED).get() as { n: number }).n, wal: wal() };
      },
    });
    expect(atDecision).toMatchObject({ files: [`${basename(replica.file)}-stage-imp_file`], inFile: 4000, inReplica: 0 });
    // The batch's staging row and its decision: a few pages, against ~300 for 2,000 staged intents.
    expect(atDecision!.wal).toBeLessThan(64 * 1024);
    expect(stageFiles()).toEqual([]);
    expect(existsSync(`${replica.file}-stage-imp_file`)).toBe(false);
    expect((replica.sqlite.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n).toBe(2000);
  });

  it("checkpoints the WAL in steps of their own, never inside a step's commit, and leaves a checkpoint worker's setting alone", { timeout: 60_000 }, async () => {
    const autocheckpoint = (): number => replica.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    const during: number[] = [];
    const onStep = (): void => void during.push(autocheckpoint());
    // ~10k intents and rules: three times the WAL an automatic checkpoint lets grow (1,000 pages).
    await commitImportStaged(await analyzeImport({ kind: 'file', path: csv('c1.csv', rows(10_000)) }, { existing: sink.loadExisting() }), sink, { afterStep: onStep });
    expect(during.length).toBeGreaterThan(1);
    // 0: the committing connection never checkpoints inline (a step would carry the copy and its fsyncs).
    expect(new Set(during)).toEqual(new Set([0]));
    expect(autocheckpoint()).toBe(1000);
    // … and the WAL was still checkpointed as it grew: it started over instead of holding the whole import.
    expect(statSync(`${replica.file}-wal`).size).toBeLessThan(6 * 1024 * 1024);
    replica.startBackgroundCheckpoints();
    await commitImportStaged(await analyzeImport({ kind: 'file', path: csv('c2.csv', rows(300, 'Tue')) }, { existing: sink.loadExisting() }), sink, {});
    expect(autocheckpoint()).toBe(0);
    await replica.stopBackgroundCheckpoints();
    expect(autocheckpoint()).toBe(1000);
  });

  it("leaves a live writer's batch to it: another ImportService's recovery keeps it and reports it as still being written (rollback and resume refuse it)", async () => {
    const analysis = await analyzeImport({ kind: 'file', path: csv('a.csv', rows(300)) }, { existing: sink.loadExisting() });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atDecision = new Promise<void>((resolve) => (reached = resolve));
    const committing = commitImportStaged(analysis, sink, {
      batchId: 'imp_live',
      afterStep: async (phase) => {
        if (phase !== 'decided') return;
        reached();
        await held;
      },
    });
    await atDecision;
    // Decided, not yet moved: the batch is recorded, its rows still staged.
    expect(staged()).toBeGreaterThan(0);
    const other = new ImportService(replica);
    expect(staged()).toBeGreaterThan(0);
    expect(other.writing('imp_live')).toBe(true);
    release();
    const r = await committing;
    expect(r).toMatchObject({ created: 300, rules: 300, intents: 300 });
    expect(staged()).toBe(0);
    expect(other.writing('imp_live')).toBe(false);
    expect(other.status('imp_live')?.counts.queued).toBe(300);
  });

  it('an update that replaces imported rules drops the old ones only as it lands', async () => {
    await commitImportStaged(await analyzeImport({ kind: 'file', path: csv('1.csv', rows(50, 'Mon')) }, { existing: sink.loadExisting() }), sink, {});
    const days = (): number[] => (replica.sqlite.prepare('SELECT DISTINCT day_of_week AS d FROM import_rules ORDER BY d').all() as Array<{ d: number }>).map((r) => r.d);
    const monday = days();
    expect(monday).toHaveLength(1);
    const second = await analyzeImport({ kind: 'file', path: csv('2.csv', rows(50, 'Tue')) }, { existing: sink.loadExisting() });
    let during: number[] = [];
    await commitImportStaged(second, sink, {
      afterStep: (phase) => {
        if (phase === 'stage') during = days();
      },
    });
    expect(during).toEqual(monday);
    const after = days();
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(monday);
    expect((replica.sqlite.prepare('SELECT COUNT(*) AS n FROM import_rules').get() as { n: number }).n).toBe(50);
  });

  it("stages each intent's fields once (in its body) and moves in the payload a one-transaction commit writes", async () => {
    // Creates, and patches of offerings the console has (their payload also carries `previous`).
    const one = openReplica(t.dir, 'one.db');
    try {
      for (const r of [replica, one.replica]) for (let i = 0; i < 5; i++) seedOffering(r, { id: `off_${i}`, slug: `o${i}`, title: `Old ${i}`, version: 3 });
      const file = csv('mixed.csv', rows(40));
      const stagedPayloads: string[] = [];
      await commitImportStaged(await analyzeImport({ kind: 'file', path: file }, { existing: sink.loadExisting() }), sink, {
        batchId: 'imp_same',
        afterStep: (phase) => {
          if (phase === 'decided') for (const r of replica.sqlite.prepare('SELECT payload FROM import_stage.import_stage_intents ORDER BY seq').all() as Array<{ payload: string }>) stagedPayloads.push(r.payload);
        },
      });
      commitImport(await analyzeImport({ kind: 'file', path: file }, { existing: one.sink.loadExisting() }), one.sink, { batchId: 'imp_same' });
      expect(stagedPayloads).toHaveLength(40);
      for (const p of stagedPayloads) expect(p).not.toContain('"fields"');
      const live = (r: Replica): unknown[] => r.sqlite.prepare("SELECT kind, method, body, payload, base_version FROM outbox WHERE kind LIKE 'offering.%' ORDER BY seq").all();
      const moved = live(replica);
      expect(moved.filter((r) => (r as { kind: string }).kind === 'offering.patch')).toHaveLength(5);
      expect(moved).toEqual(live(one.replica));
    } finally {
      one.replica.close();
    }
  });

  it('still moves in a batch staged whole by an earlier version (payload with its fields), as it was staged', () => {
    const payload = JSON.stringify({ fields: { slug: 'old-one', title: 'Old one' }, importBatchId: 'imp_old', slug: 'old-one', line: 2 });
    replica.transaction(() => {
      // No process has that pid: the recovery takes the batch over.
      replica.sqlite.prepare("INSERT INTO import_staging (batch_id, state, file_name, created_at, pid) VALUES ('imp_old', 'moving', 'old.csv', '2026-12-01T00:00:00Z', 2147483647)").run();
      replica.sqlite
        .prepare("INSERT INTO import_stage_intents (batch_id, id, kind, target_id, method, path, body, payload, base_version, created_at) VALUES ('imp_old', 'int_old', 'offering.create', 'tmp_off_old', 'POST', '/api/offerings', ?, ?, NULL, '2026-12-01T00:00:00Z')")
        .run(JSON.stringify({ slug: 'old-one', title: 'Old one' }), payload);
    });
    new ImportService(replica);
    expect(replica.sqlite.prepare("SELECT payload FROM outbox WHERE id = 'int_old'").get()).toEqual({ payload });
    expect(staged()).toBe(0);
  });
});
