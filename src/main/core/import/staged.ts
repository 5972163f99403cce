/**
 * The staged commit (issue #16): a big import written in steps that each take a few milliseconds,
 * with a turn of the engine's loop between them, and still all or nothing for the user.
 *
 * Why a stage and a decision row, not savepoints: a savepoint lives inside one transaction, so it
 * cannot let the loop run (nor another write commit) in between; and rows written straight into
 * `outbox` in steps would be seen half-done by the pusher and the overlay. So:
 *
 * 1. stage: each step writes a slice of the plan into the batch's stage file beside the replica
 *    (stage-file.ts: attached, no journal on disk, no syncs), which nothing else reads; the batch's
 *    row in `import_staging` says `staging`.
 * 2. decide: the stage file is flushed to disk, then one short transaction records the batch
 *    (`import_batches`) and sets `moving`. This is the commit point: before it, a crash leaves
 *    nothing (the next open removes the stage file); after it, everything (the next open finishes
 *    the move).
 * 3. move: steps move rows to `import_rules` (earlier rules dropped first) and `outbox`, each
 *    advancing the batch's cursor in the transaction that moves the rows, so a resumed move starts
 *    where it stopped. The last step removes the `import_staging` row; the stage file is then
 *    removed (and by the next open, if a crash cuts that).
 *
 * Earlier versions staged in the replica's own `import_stage_*` tables (migration 0011); a batch a
 * crash left there is still moved in (or dropped) from them by the next open.
 *
 * Steps commit with synchronous=NORMAL (WAL order still holds; a power cut can only lose steps the
 * next open drops or redoes); the decision and the last step with FULL, so what the caller is told
 * is on disk.
 */
import type { Replica } from '../replica/replica.ts';
import { batchRecord, emptyResult, ImportRejected, writePlanned, type CommitOptions, type CommitResult } from './commit.ts';
import type { ReplicaImportSink } from './replica-sink.ts';
import type { PlannedOffering } from './types.ts';
import { createStage, flushStageToDisk, openStage, orphanStageFiles, RECOVERED_STAGE, removeMovedStage, removeStage, STAGE } from './stage-file.ts';
import { rmSync } from 'node:fs';

/** Work per step before the loop gets its turn (the target is no block over 50 ms). */
const stepBudgetMs = 8;
/** Rows moved per statement inside a move step. */
const moveChunk = 500;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Staged commits of one replica run one after the other (the stage tables hold one batch). */
const queues = new WeakMap<Replica, Promise<unknown>>();

function serial<T>(replica: Replica, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(replica) ?? Promise.resolve();
  const run = before.then(fn, fn);
  queues.set(
    replica,
    run.catch(() => undefined),
  );
  return run;
}

function normal<T>(replica: Replica, fn: () => T): T {
  replica.sqlite.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    replica.sqlite.pragma('synchronous = FULL');
  }
}

/** Drops a batch's staged rows (never decided: nothing of it was ever visible), stage file included. */
function dropStaged(replica: Replica, batchId: string, as: string = STAGE): void {
  removeStage(replica, batchId, as);
  replica.transaction(() => {
    // Rows an earlier version staged in the replica itself.
    for (const t of ['import_stage_intents', 'import_stage_rules', 'import_stage_drops']) replica.stmt(`DELETE FROM ${t} WHERE batch_id = ?`).run(batchId);
    replica.stmt('DELETE FROM import_staging WHERE batch_id = ?').run(batchId);
  });
}

/** The stage tables and how each moves in; `s` is the stage's schema (its file, or `main` for an earlier version's). */
const moves = [
  {
    table: 'import_stage_drops',
    cursor: 'moved_drops',
    sql: (s: string) => `DELETE FROM main.import_rules WHERE offering_id IN (SELECT offering_id FROM ${s}.import_stage_drops WHERE batch_id = ? AND seq BETWEEN ? AND ?)`,
  },
  {
    table: 'import_stage_rules',
    cursor: 'moved_rules',
    sql: (s: string) => `INSERT INTO main.import_rules (batch_id, offering_id, slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until)
          SELECT batch_id, offering_id, slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until
            FROM ${s}.import_stage_rules WHERE batch_id = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
  },
  {
    table: 'import_stage_intents',
    cursor: 'moved_intents',
    // A staged payload without its fields (`{"importBatchId":…}`, ReplicaImportSink.queueIntent) gets
    // them back from the body; one staged whole (`{"fields":…}`, as before) moves as it is.
    sql: (s: string) => `INSERT INTO main.outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts)
          SELECT id, id, kind, target_id, method, path, body,
                 CASE WHEN body IS NULL OR substr(payload, 1, 10) = '{"fields":' THEN payload ELSE '{"fields":' || body || ',' || substr(payload, 2) END,
                 base_version, 'queued', created_at, hold_until, 0
            FROM ${s}.import_stage_intents WHERE batch_id = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
  },
] as const;

/**
 * Moves up to `moveChunk` rows past the batch's cursor of one stage table and advances the cursor in
 * the same transaction; returns how many it moved (0: all moved). Earlier rules are dropped first
 * (the batch's own rules for those offerings follow), then rules, then intents.
 */
function moveSome(replica: Replica, batchId: string, s: string, moved?: (table: string, rows: number) => void): number {
  return replica.transaction(() => {
    const at = replica.stmt('SELECT moved_drops, moved_rules, moved_intents FROM import_staging WHERE batch_id = ?').get(batchId) as Record<string, number> | undefined;
    if (!at) return 0;
    for (const m of moves) {
      const from = at[m.cursor] ?? 0;
      const r = replica.stmt(`SELECT MAX(seq) AS hi, COUNT(*) AS n FROM (SELECT seq FROM ${s}.${m.table} WHERE seq > ? AND batch_id = ? ORDER BY seq LIMIT ${moveChunk})`).get(from, batchId) as { hi: number | null; n: number };
      if (r.hi === null) continue;
      replica.stmt(m.sql(s)).run(batchId, from + 1, r.hi);
      replica.stmt(`UPDATE import_staging SET ${m.cursor} = ? WHERE batch_id = ?`).run(r.hi, batchId);
      moved?.(m.table, r.n);
      return r.n;
    }
    return 0;
  });
}

/** The moved batch leaves `import_staging` (FULL: what the caller is told is on disk). */
function finishMove(replica: Replica, batchId: string): void {
  replica.transaction(() => replica.stmt('DELETE FROM import_staging WHERE batch_id = ?').run(batchId));
}

/**
 * Removes staged rows no batch in `import_staging` owns from the replica's own stage tables (where
 * earlier versions staged: a finished or dropped batch's), one table per transaction. With no batch staging at all (the usual case) a table is emptied without a WHERE:
 * SQLite then frees its pages at once instead of deleting 100k rows one by one.
 */
function sweepStage(replica: Replica, table: (typeof moves)[number]['table']): void {
  normal(replica, () =>
    replica.transaction(() => {
      const staging = (replica.stmt('SELECT COUNT(*) AS n FROM import_staging').get() as { n: number }).n;
      if (staging === 0) replica.stmt(`DELETE FROM ${table}`).run();
      else replica.stmt(`DELETE FROM ${table} WHERE batch_id NOT IN (SELECT batch_id FROM import_staging)`).run();
    }),
  );
}

/** Whether process `pid` (on this machine: the replica is a local file) is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * At open: a batch left `staging` by a crash is dropped, one left `moving` is moved in (it was
 * decided). A batch whose writer is still running (this process, or e.g. a CLI import beside the
 * app) is left to it. Synchronous: it runs before anything else uses the replica.
 */
export function recoverStaged(replica: Replica): { dropped: string[]; finished: string[] } {
  const out = { dropped: [] as string[], finished: [] as string[] };
  let rows: Array<{ batch_id: string; state: string; pid: number }>;
  try {
    rows = replica.stmt('SELECT batch_id, state, pid FROM import_staging').all() as typeof rows;
  } catch {
    return out; // a read-only or older replica
  }
  for (const r of rows) {
    if (alive(r.pid)) continue;
    if (r.state === 'moving') {
      // From its stage file; a batch without one was staged in the replica by an earlier version.
      const s = openStage(replica, r.batch_id, RECOVERED_STAGE) ? RECOVERED_STAGE : 'main';
      normal(replica, () => {
        while (moveSome(replica, r.batch_id, s) > 0);
      });
      finishMove(replica, r.batch_id);
      removeStage(replica, r.batch_id, RECOVERED_STAGE);
      out.finished.push(r.batch_id);
    } else {
      dropStaged(replica, r.batch_id, RECOVERED_STAGE);
      out.dropped.push(r.batch_id);
    }
  }
  // The stage file of a batch that finished moving just before a crash cut its removal.
  const owned = new Set(rows.filter((r) => alive(r.pid)).map((r) => r.batch_id));
  for (const file of orphanStageFiles(replica, owned)) rmSync(file, { force: true });
  // Rows an earlier version staged in the replica, of a batch that finished moving before a crash cut its sweep.
  for (const m of moves) sweepStage(replica, m.table);
  return out;
}

/** Whether `batchId` is still being written (a rollback or resume must wait for it). */
export function isStaging(replica: Replica, batchId: string): boolean {
  return replica.stmt('SELECT 1 FROM import_staging WHERE batch_id = ?').get(batchId) !== undefined;
}

export interface StagedCommitOptions extends CommitOptions {
  /** Called after each step; tests use it to stop the process between steps. */
  afterStep?: (phase: 'stage' | 'decided' | 'move') => void | Promise<void>;
}

/**
 * commitPlan in steps (see the top of this file). Progress: `bytesProcessed` of `bytesTotal` runs
 * over the plan twice (staging, then moving in), `rows` counts the plan rows staged.
 */
export function commitPlanStaged(plan: readonly PlannedOffering[], errorCount: number, sink: ReplicaImportSink, opts: StagedCommitOptions): Promise<CommitResult> {
  if (errorCount > 0 || plan.some((p) => p.action === 'error')) return Promise.reject(new ImportRejected(Math.max(1, errorCount)));
  return serial(sink.replica, async () => {
    const checkpoints = new OwnCheckpoints(sink.replica);
    try {
      return await staged(plan, sink, opts, checkpoints);
    } finally {
      checkpoints.end();
    }
  });
}

/**
 * The WAL's checkpoints while a commit runs without a checkpoint worker (a core not started, the
 * benches). SQLite's automatic checkpoint (every 1,000 pages) runs inside the commit that crosses
 * the mark, so that step carried a ~4 MB copy and its fsyncs on top of its own 8 ms: in the probed
 * import bench, 48 of the 71 steps over 25 ms, their median 41–51 ms wall against 8 ms for the
 * others (load 13–14). Here it is off for the commit, and a PASSIVE checkpoint runs as a step of its
 * own (a turn of the loop before and after it) once the steps have written about as many pages; the
 * rows a checkpoint's worth of pages holds is learnt from each checkpoint's page count. With a
 * checkpoint worker (automatic checkpoints already off) nothing changes.
 */
class OwnCheckpoints {
  readonly #replica: Replica;
  /** The automatic checkpoint's size in pages (0: a worker checkpoints, or none wanted). */
  readonly #pages: number;
  /** WAL pages a moved row costs, by stage table (measured at 10k rows); scaled by what checkpoints find. */
  readonly #perRow: Record<string, number> = { import_stage_drops: 0.05, import_stage_rules: 0.075, import_stage_intents: 0.19 };
  #scale = 1;
  /** Pages written since the last checkpoint, as estimated. */
  #since = 0;

  constructor(replica: Replica) {
    this.#replica = replica;
    this.#pages = replica.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    if (this.#pages > 0) replica.sqlite.pragma('wal_autocheckpoint = 0');
  }

  /** After a statement moved `rows` rows of `table` into the replica. */
  wrote(table: string, rows: number): void {
    this.#since += rows * (this.#perRow[table] ?? 0.2) * this.#scale;
  }

  /** Whether the WAL holds about as many pages as the automatic checkpoint would have let it. */
  get due(): boolean {
    return this.#pages > 0 && this.#since >= this.#pages;
  }

  run(): void {
    this.#replica.flushBulk();
    const [r] = this.#replica.sqlite.pragma('main.wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    // `log`: the pages in the WAL, written since it last started over (after the previous checkpoint).
    if (r && r.log > 0 && this.#since > 0) this.#scale = Math.min(4, Math.max(0.25, (this.#scale * r.log) / this.#since));
    this.#since = 0;
  }

  end(): void {
    if (this.#pages > 0 && this.#replica.sqlite.open) this.#replica.sqlite.pragma(`wal_autocheckpoint = ${this.#pages}`);
  }
}

async function staged(plan: readonly PlannedOffering[], sink: ReplicaImportSink, opts: StagedCommitOptions, checkpoints: OwnCheckpoints): Promise<CommitResult> {
  const replica = sink.replica;
  const { batchId } = opts;
  const total = plan.length * 2;
  const progress = (done: number, rows: number): void => opts.onProgress?.({ phase: 'commit', bytesProcessed: done, bytesTotal: total, rows });
  const result = emptyResult(batchId);
  // The row first, then the file: a stage file no row owns is a finished batch's (recoverStaged).
  replica.transaction(() => replica.stmt("INSERT INTO import_staging (batch_id, state, file_name, created_at, pid) VALUES (?, 'staging', ?, ?, ?)").run(batchId, opts.fileName, new Date().toISOString(), process.pid));
  let decided = false;
  try {
    createStage(replica, batchId);
    await stageAll(plan, sink, opts, result, progress);
    // A file that changes nothing leaves no batch behind.
    if (result.intents === 0 && result.rules === 0) {
      dropStaged(replica, batchId);
      progress(total, plan.length);
      return result;
    }
    await flushStageToDisk(replica, batchId);
    const record = batchRecord(result, opts.fileName);
    replica.transaction(() => {
      replica
        .stmt("INSERT INTO import_batches (id, file_name, created_at, state, created, updated, unchanged, rules) VALUES (?,?,?,'committed',?,?,?,?)")
        .run(record.id, record.fileName, record.createdAt, record.created, record.updated, record.unchanged, record.rules);
      replica.stmt("UPDATE import_staging SET state = 'moving' WHERE batch_id = ?").run(batchId);
    });
    decided = true;
    await opts.afterStep?.('decided');
  } catch (error) {
    sink.stageInto(null);
    if (!decided) dropStaged(replica, batchId);
    throw error;
  }
  // Decided: from here on the import lands whatever happens (the next open finishes a cut move).
  await moveAll(replica, batchId, { toMove: result.intents + result.rules + 1, planRows: plan.length, checkpoints }, opts, progress);
  finishMove(replica, batchId);
  await removeMovedStage(replica, batchId);
  progress(total, plan.length);
  return result;
}

/** Writes the plan into the stage, a step at a time with the loop's turn between steps. */
async function stageAll(plan: readonly PlannedOffering[], sink: ReplicaImportSink, opts: StagedCommitOptions, result: CommitResult, progress: (done: number, rows: number) => void): Promise<void> {
  const replica = sink.replica;
  const existing = sink.loadExisting();
  sink.stageInto(opts.batchId, STAGE);
  let at = 0;
  while (at < plan.length) {
    const until = performance.now() + stepBudgetMs;
    normal(replica, () =>
      sink.stepTransaction(() => {
        for (;;) {
          const p = plan[at++] as PlannedOffering;
          writePlanned(p, existing, sink, opts.batchId, result);
          opts.afterEach?.(p.slug);
          if (at >= plan.length) break;
          // The buffered rows are written before the clock is read: the budget covers the inserts.
          if ((at & 31) === 0) {
            sink.flush();
            if (performance.now() >= until) break;
          }
        }
      }),
    );
    progress(at, at);
    await opts.afterStep?.('stage');
    await turn();
  }
  sink.stageInto(null);
}

/** Moves the decided batch in, a step at a time; progress runs on from the plan's length to twice it. */
async function moveAll(
  replica: Replica,
  batchId: string,
  { toMove, planRows, checkpoints }: { toMove: number; planRows: number; checkpoints: OwnCheckpoints },
  opts: StagedCommitOptions,
  progress: (done: number, rows: number) => void,
): Promise<void> {
  let moved = 0;
  for (;;) {
    const until = performance.now() + stepBudgetMs;
    let n = 0;
    normal(replica, () => {
      do n = moveSome(replica, batchId, STAGE, (table, rows) => checkpoints.wrote(table, rows));
      while (n > 0 && ((moved += n), performance.now() < until));
    });
    if (n === 0) break;
    progress(planRows + Math.min(planRows - 1, Math.floor((moved / toMove) * planRows)), planRows);
    await opts.afterStep?.('move');
    await turn();
    if (checkpoints.due) {
      checkpoints.run();
      await turn();
    }
  }
}
