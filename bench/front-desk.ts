/**
 * The front desk's reads at a large tenant's size (issues #13/#16), on a replica of 1M bookings over
 * 20k offerings (≥ 100k PENDING) seeded with SQL (bench/_front-desk-replica.ts; about a minute or two
 * to build, reused with BENCH_FRONT_DESK_DIR). Each figure beside its floor, measured in this run:
 *  - cold start to an interactive queue, median of 5 fresh processes (target ≤ 600 ms): from the core
 *    being created on the replica to its first queue.window (100 rows with slot checks and the
 *    queue's counts) answered through dispatch; the process's own start-up (Node, module loading)
 *    is printed apart. Floor: a process that opens the file and reads 100 PENDING rows + items.
 *    The core opens as the engine does (damage check of the local state on open, the rest in the
 *    background); the same with the whole check on open is printed beside it.
 *  - search "garcía" over 1M bookings (target ≤ 100 ms; the UI's paint is the renderer's part):
 *    bookings.search, first call and median/p99 of 20. Floor: the bare FTS5 query.
 *  - queue.window call p99 over 200 calls (both sorts, deep cursors, filters by offering, risk, date).
 *    Floor: the bare keyset SELECT of 100 rows.
 */
import './_engine-flags.ts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../src/main/core/index.ts';
import { dispatchCall } from '../src/main/dispatch.ts';
import type { QueueWindow } from '../src/shared/contract/types.ts';
import { BOOKINGS, OFFERINGS, ensureFrontDeskReplica } from './_front-desk-replica.ts';

const keepDir = process.env['BENCH_FRONT_DESK_DIR'];
const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'bench-front-desk-'));
mkdirSync(dir, { recursive: true });
const file = join(dir, `replica-${BOOKINGS}.db`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => {
  const s = sorted(xs);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const p99 = (xs: number[]): number => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)]!;

console.log(`machine: ${cpus().length} cores, load ${load()}`);
const built = await ensureFrontDeskReplica(file);
console.log(built.built ? `replica: built ${BOOKINGS} bookings over ${OFFERINGS} offerings in ${built.seconds.toFixed(1)} s` : `replica: reused ${file}`);

try {
  // ---- cold start, fresh processes ------------------------------------------------------------
  const cold = (mode: 'core' | 'core-full-check' | 'floor'): { ms: number; readyMs: number; cpuMs: number; startupMs: number; total?: number } => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '_front-desk-cold.ts'), mode, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${mode} cold start failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; readyMs: number; cpuMs: number; startupMs: number; total?: number };
  };
  const coreRuns: Array<ReturnType<typeof cold>> = [];
  const floorRuns: Array<ReturnType<typeof cold>> = [];
  const fullCheckRuns: Array<ReturnType<typeof cold>> = [];
  for (let i = 0; i < 5; i++) {
    floorRuns.push(cold('floor'));
    coreRuns.push(cold('core'));
    fullCheckRuns.push(cold('core-full-check'));
  }
  const coreReady = median(coreRuns.map((r) => r.readyMs));
  const floorReady = median(floorRuns.map((r) => r.readyMs));
  console.log(`cold start to an interactive queue (${coreRuns[0]!.total} PENDING), median of 5: ${ms(coreReady)} (target ≤ 600 ms); floor ${ms(floorReady)} (${(coreReady / floorReady).toFixed(1)}×)`);
  console.log(`  CPU time of that span, median: ${ms(median(coreRuns.map((r) => r.cpuMs)))}; floor's ${ms(median(floorRuns.map((r) => r.cpuMs)))}`);
  console.log(`  runs: ${coreRuns.map((r) => ms(r.readyMs)).join(', ')}; process start-up before it (Node + modules): median ${ms(median(coreRuns.map((r) => r.startupMs)))}, floor's ${ms(median(floorRuns.map((r) => r.startupMs)))}`);
  console.log(`  with the whole file checked for damage on open (one-shot commands; every open before #16), median: ${ms(median(fullCheckRuns.map((r) => r.readyMs)))}, CPU ${ms(median(fullCheckRuns.map((r) => r.cpuMs)))}`);
  console.log(`  load ${load()}`);

  // ---- search and queue.window in one long-lived core ----------------------------------------------
  const core = createCore({ dbFile: file, transport: 'bridge', appVersion: 'bench' });
  try {
    const call = async <T>(method: string, input: unknown): Promise<{ result: T; ms: number }> => {
      const t = performance.now();
      const out = await dispatchCall(core, method, input);
      const took = performance.now() - t;
      if (!out.ok) throw new Error(`${method}: ${JSON.stringify(out.error)}`);
      return { result: out.result as T, ms: took };
    };
    const raw = core.replica.sqlite;

    const first = await call<{ items: unknown[]; total: number; capped: boolean }>('bookings.search', { text: 'garcía', limit: 20 });
    const matches = (r: { total: number; capped: boolean }): string => `${r.total}${r.capped ? '+' : ''} match`;
    const searchTimes: number[] = [];
    for (let i = 0; i < 20; i++) searchTimes.push((await call('bookings.search', { text: i % 2 ? 'garcía' : 'GARCIA', limit: 20 })).ms);
    const fts = raw.prepare('SELECT rowid FROM bookings_fts WHERE bookings_fts MATCH ? ORDER BY rowid DESC LIMIT 20');
    const floorSearch: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      fts.all('"garcía"*');
      floorSearch.push(performance.now() - t);
    }
    console.log(`search "garcía" over ${BOOKINGS} bookings (${matches(first.result)}): first ${ms(first.ms)}, median ${ms(median(searchTimes))}, p99 ${ms(p99(searchTimes))} (target ≤ 100 ms); floor (bare FTS5 query) median ${ms(median(floorSearch))}`);
    const prefix = await call<{ total: number; capped: boolean }>('bookings.search', { text: 'gar', limit: 20 });
    console.log(`  a three-letter prefix ("gar", ${matches(prefix.result)}): ${ms(prefix.ms)}; load ${load()}`);

    const offerings = (raw.prepare('SELECT id FROM offerings ORDER BY id LIMIT 3').all() as Array<{ id: string }>).map((r) => r.id);
    const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const inputs: object[] = [
      { sort: 'waiting' },
      { sort: 'starting' },
      { sort: 'waiting', risk: 'held' },
      { sort: 'starting', risk: 'clear' },
      { sort: 'starting', offeringIds: offerings },
      { sort: 'starting', from: new Date().toISOString(), to: weekAhead },
    ];
    const windowTimes: number[] = [];
    for (let round = 0; windowTimes.length < 200 && round < 100; round++) {
      for (const input of inputs) {
        let cursor: string | null = null;
        // Walk a few windows deep on each: later windows start from a cursor.
        for (let depth = 0; depth < 5 && windowTimes.length < 200; depth++) {
          const answer: { result: QueueWindow; ms: number } = await call<QueueWindow>('queue.window', { ...input, limit: 100, ...(cursor ? { cursor } : {}) });
          const { result, ms: took } = answer;
          windowTimes.push(took);
          cursor = result.nextCursor;
          if (!cursor) break;
        }
      }
    }
    const keyset = raw.prepare("SELECT * FROM bookings WHERE status = 'PENDING' AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 100");
    const floorWindow: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      keyset.all('2020-01-01', '');
      floorWindow.push(performance.now() - t);
    }
    console.log(`queue.window (100 rows, counts, slot checks), ${windowTimes.length} calls: median ${ms(median(windowTimes))}, p99 ${ms(p99(windowTimes))}; floor (bare keyset SELECT) p99 ${ms(p99(floorWindow))}; load ${load()}`);
  } finally {
    await core.close();
  }
} finally {
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
}
